package dev.ztchat.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * How a bench runs: full or quick (tiny counts for CI), where progress goes, and whether peers may
 * be started. Quick mode keeps each bench to a few seconds and asserts nothing about timing.
 *
 * @param quick tiny counts
 * @param peers start the peers (OpenSSL, Mosquitto, nginx) when their programs are installed
 * @param log progress lines
 */
public record BenchOptions(boolean quick, boolean peers, PrintStream log) {
  /** {@code full} when not quick, {@code quick} otherwise. */
  public int pick(int full, int quickValue) {
    return quick ? quickValue : full;
  }

  /** A duration chosen by mode. */
  public Duration pick(Duration full, Duration quickValue) {
    return quick ? quickValue : full;
  }

  @SuppressWarnings("AnnotateFormatMethod") // @FormatMethod would be a dependency for one helper
  void say(String fmt, Object... args) {
    log.println("  " + String.format(Locale.ROOT, fmt, args));
    log.flush();
  }
}
