package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.KeyValuePair;

/**
 * {@code --log-format json}: one JSON object per line, each SECURITY event with its fields; {@code
 * --security-log FILE}: the security events also in a file of their own.
 */
class RelayLoggingTest {
  @TempDir Path dir;
  final ObjectMapper json = new ObjectMapper();

  /** Logs one event through {@code context} the way SecurityLog does. */
  static void spoofingEvent(LoggerContext context) {
    context
        .getLogger(RelayLogging.SECURITY_LOGGER)
        .atWarn()
        .addKeyValue("event", "SPOOFING")
        .addKeyValue("identity", "alice")
        .addKeyValue("remote", "127.0.0.1:5312")
        .addKeyValue("claimed", "bob")
        .addKeyValue("action", "dropped")
        .log("SECURITY event=SPOOFING identity=alice remote=127.0.0.1:5312 claimed=bob");
  }

  /** A logging context of the test's own, as the relay's process has one. */
  static LoggerContext newContext() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    return context;
  }

  /** A key-value logging event's fields (logback's JSON encoder writes them as kvpList). */
  static Map<String, String> fields(JsonNode line) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode pair : line.get("kvpList")) {
      pair.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }

  @Test
  void jsonFormat_writesOneObjectPerLine_withTheSecurityEventsFields() throws Exception {
    LoggerContext context = newContext();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    RelayLogging.configure(context, console, RelayLogging.Format.JSON, Level.INFO, null);

    context.getLogger("dev.ztchat.server.RelayServer").info("ztchat relay listening on {}", 8443);
    spoofingEvent(context);
    context.stop();

    List<String> lines = console.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(2);
    JsonNode info = json.readTree(lines.get(0));
    assertThat(info.get("level").asText()).isEqualTo("INFO");
    assertThat(info.get("formattedMessage").asText()).isEqualTo("ztchat relay listening on 8443");
    JsonNode event = json.readTree(lines.get(1));
    assertThat(event.get("loggerName").asText()).isEqualTo("ztchat.security");
    assertThat(event.get("level").asText()).isEqualTo("WARN");
    assertThat(fields(event))
        .containsEntry("event", "SPOOFING")
        .containsEntry("identity", "alice")
        .containsEntry("remote", "127.0.0.1:5312")
        .containsEntry("claimed", "bob")
        .containsEntry("action", "dropped");
  }

  @Test
  void securityLogFile_getsTheSecurityEvents_andNothingElse() throws Exception {
    LoggerContext context = newContext();
    Path file = dir.resolve("security.log");
    RelayLogging.configure(
        context, new ByteArrayOutputStream(), RelayLogging.Format.TEXT, Level.ERROR, file);

    context.getLogger("dev.ztchat.server.RelayServer").warn("not a security event");
    spoofingEvent(context);
    context.stop();

    assertThat(Files.readAllLines(file))
        .as("the security log stays at warn under --log-level error")
        .singleElement()
        .asString()
        .contains("SECURITY event=SPOOFING");
  }

  @Test
  void realSecurityLog_inJson_carriesItsFieldsAsKeyValuePairs() throws Exception {
    List<KeyValuePair> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    // SLF4J may still be starting up on another test's thread: wait (bounded) for logback
    assertThat(
            dev.ztchat.core.testkit.Polling.eventually(
                java.time.Duration.ofSeconds(10),
                () -> org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext))
        .isTrue();
    LoggerContext global = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    var appender =
        new ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent>() {
          @Override
          protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
            if (e.getFormattedMessage().contains("claimed=mallory-test")) {
              seen.addAll(e.getKeyValuePairs());
            }
          }
        };
    appender.setContext(global);
    appender.start();
    var logger = global.getLogger(RelayLogging.SECURITY_LOGGER);
    logger.addAppender(appender);
    try {
      new dev.ztchat.server.SecurityLog()
          .record(
              dev.ztchat.server.SecurityEvent.SPOOFING,
              "alice",
              new InetSocketAddress("127.0.0.1", 5312),
              "claimed",
              "mallory-test",
              "action",
              "dropped");
    } finally {
      logger.detachAppender(appender);
    }
    assertThat(seen)
        .extracting(p -> p.key + "=" + p.value)
        .containsExactly(
            "event=SPOOFING",
            "identity=alice",
            "remote=127.0.0.1:5312",
            "claimed=mallory-test",
            "action=dropped");
  }

  @Test
  void unknownFormatOrLevel_isRefused_namingTheOption() {
    assertThatThrownBy(() -> RelayLogging.Format.parse("xml"))
        .hasMessageContaining("--log-format xml");
    assertThatThrownBy(() -> RelayLogging.level("loud")).hasMessageContaining("--log-level loud");
  }
}
