package dev.ztchat.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Keeps library log lines out of the client commands' terminal: while open, the root logger's
 * appenders (stderr, see logback.xml) are detached, lines below WARN are dropped, and each warning
 * or error becomes one short notice handed to the command, which shows it through its own
 * sanitizing output (the chat screen's notice line, or stderr as one escaped line). A raw log line
 * would print into the prompt and could carry a server's text to the terminal unescaped. The server
 * keeps logging to stderr as configured.
 */
final class ClientLogging implements AutoCloseable {
  private final Logger root;
  private final Level previousLevel;
  private final List<Appender<ILoggingEvent>> previous = new ArrayList<>();
  private final Appender<ILoggingEvent> notices;

  private ClientLogging(LoggerContext context, Consumer<String> sink) {
    if (context == null) {
      root = null;
      previousLevel = null;
      notices = null;
      return;
    }
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    previousLevel = root.getLevel();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      previous.add(it.next());
    }
    notices =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
              sink.accept(noticeOf(event));
            }
          }
        };
    notices.setContext(context);
    notices.setName("client-notices");
    notices.start();
    previous.forEach(root::detachAppender);
    root.addAppender(notices);
    root.setLevel(Level.WARN);
  }

  /** Routes warnings and errors to {@code sink} (which must make the text safe) until closed. */
  static ClientLogging routeTo(Consumer<String> sink) {
    // Another logging backend (not shipped): its own configuration decides.
    return new ClientLogging(
        LoggerFactory.getILoggerFactory() instanceof LoggerContext c ? c : null, sink);
  }

  /** {@code [!] MESSAGE (CAUSE)}: the event's own words, no logger name or stack trace. */
  static String noticeOf(ILoggingEvent event) {
    String message = String.valueOf(event.getFormattedMessage());
    StringBuilder b = new StringBuilder(message.startsWith("[!]") ? "" : "[!] ");
    if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
      b.append("error: ");
    }
    b.append(message);
    IThrowableProxy cause = event.getThrowableProxy();
    if (cause != null && cause.getMessage() != null) {
      b.append(" (").append(cause.getMessage()).append(')');
    }
    return b.toString();
  }

  @Override
  public void close() {
    if (root == null) {
      return;
    }
    root.detachAppender(notices);
    notices.stop();
    previous.forEach(root::addAppender);
    root.setLevel(previousLevel);
  }
}
