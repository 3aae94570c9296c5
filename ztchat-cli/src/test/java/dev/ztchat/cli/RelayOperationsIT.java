package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged relay as an operator runs it: started from a config file, with the admin listener
 * and JSON logs; /readyz and /metrics answer, SIGHUP reloads, and SIGTERM stops it with exit 0.
 */
class RelayOperationsIT {
  @TempDir Path dir;
  final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(Process::destroyForcibly);
  }

  record Result(int exit, String out, String err) {}

  /** {@code ztchat args...} from {@code dir}, stdout to {@code log}, stderr beside it. */
  Process start(Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(LauncherEndToEndIT.LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().put("ZTCHAT_SKIP_BUILD", "1");
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("ZTCHAT_JAVA_OPTS", "-Duser.home=" + dir);
    pb.redirectOutput(log.toFile());
    pb.redirectError(dir.resolve(log.getFileName() + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  Result run(Duration timeout, String... args) throws Exception {
    Path log = Files.createTempFile(dir, "out", ".txt");
    Process p = start(log, args);
    assertThat(p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(log),
        Files.readString(dir.resolve(log.getFileName() + ".err")));
  }

  static int freePort() throws Exception {
    return LauncherEndToEndIT.freePort();
  }

  static void awaitWritten(Path file, String text) throws InterruptedException {
    LauncherEndToEndIT.awaitWritten(file, text);
  }

  @Test
  void relayFromAConfigFile_servesHealthAndMetrics_logsJson_reloadsOnSighup_stopsCleanly()
      throws Exception {
    Result init = run(Duration.ofMinutes(2), "pki", "init", "--key-size", "2048", "--users", "a");
    assertThat(init.exit()).as(init.err()).isZero();
    int admin = freePort();
    Path config = dir.resolve("relay.yaml");
    Files.writeString(
        config,
        "port: 0\ncrl-port: 0\nadmin-port: "
            + admin
            + "\nlog-format: json\ndata: "
            + dir.resolve("data")
            + "\n");
    Result check = run(Duration.ofMinutes(1), "server", "--check-config", config.toString());
    assertThat(check.exit()).as(check.err()).isZero();

    Path log = dir.resolve("server.txt");
    Process relay = start(log, "server", "--config", config.toString());
    Path err = dir.resolve("server.txt.err");
    awaitWritten(err, "Press Ctrl-C to stop");

    String ready = get(admin, "/readyz");
    assertThat(ready).startsWith("HTTP/1.1 200").contains("ready");
    assertThat(get(admin, "/metrics"))
        .startsWith("HTTP/1.1 200")
        .contains("ztchat_connections 0.0");

    new ProcessBuilder("kill", "-HUP", "" + relay.pid()).start().waitFor(10, TimeUnit.SECONDS);
    awaitWritten(err, "TLS material reloaded");

    relay.destroy(); // SIGTERM
    assertThat(relay.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(relay.exitValue()).as(Files.readString(err)).isZero();

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(err)) {
      if (line.startsWith("{")) {
        lines.add(json.readTree(line));
      }
    }
    assertThat(lines)
        .extracting(l -> l.get("formattedMessage").asText())
        .anyMatch(m -> m.startsWith("ztchat relay listening on"))
        .anyMatch(m -> m.startsWith("SIGHUP: reloading"));
  }

  /** One plain HTTP/1.1 GET (the admin listener closes after it); the whole response. */
  static String get(int port, String path) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
