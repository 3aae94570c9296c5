package dev.ztchat.cli;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The relay's logging, set from {@code ztchat server}'s options: the format ({@code text}, the
 * default human lines, or {@code json}, logback's JSON encoder writing one object per line with
 * each SECURITY event's fields as key-value pairs), the level of everything but the security log,
 * and where the security log goes (besides stderr, a file of its own). Nothing the relay logs holds
 * message content: it never has the plaintext, and it logs no envelope bytes.
 */
final class RelayLogging {
  static final String SECURITY_LOGGER = "ztchat.security";
  private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";

  private RelayLogging() {}

  /** The log formats {@code --log-format} takes. */
  enum Format {
    TEXT,
    JSON;

    static Format parse(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "text" -> TEXT;
        case "json" -> JSON;
        default ->
            throw new IllegalArgumentException(
                "--log-format " + value + " is not a format: use text or json");
      };
    }
  }

  /** Parses {@code --log-level}; a bad name is an error naming the option and the choices. */
  static Level level(String value) {
    Level l = Level.toLevel(value, null);
    if (l == null) {
      throw new IllegalArgumentException(
          "--log-level " + value + " is not a level: use error, warn, info, debug or trace");
    }
    return l;
  }

  /**
   * Replaces {@code context}'s configuration: every logger at {@code level} (the security log at
   * WARN or finer, so its events are never lost to a quiet level) to {@code console}, and the
   * security log also to {@code securityFile} when given.
   */
  static void configure(
      LoggerContext context, OutputStream console, Format format, Level level, Path securityFile) {
    requireNonNull(console, "console");
    context.reset();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);
    context.getLogger("io.netty").setLevel(Level.WARN);
    Logger security = context.getLogger(SECURITY_LOGGER);
    security.setLevel(level.isGreaterOrEqual(Level.WARN) ? Level.WARN : level);
    OutputStreamAppender<ILoggingEvent> out = new OutputStreamAppender<>();
    out.setContext(context);
    out.setName("console");
    out.setEncoder(encoder(context, format));
    out.setOutputStream(console);
    out.start();
    root.addAppender(out);
    if (securityFile != null) {
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setContext(context);
      file.setName("security-file");
      file.setFile(securityFile.toString());
      file.setAppend(true);
      file.setEncoder(encoder(context, format));
      file.start();
      security.addAppender(file);
    }
    context.start();
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, Format format) {
    if (format == Format.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithArguments(false);
      json.setWithMessage(false);
      json.setWithFormattedMessage(true);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(PATTERN);
    text.start();
    return text;
  }
}
