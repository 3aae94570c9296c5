package dev.ztchat.client;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.remedy.Remedy;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * The client's side of the relay's queue expiry (docs/PROTOCOL.md sections 4.1 and 9). Compares the
 * relay's announced queue TTL ({@code welcome}'s {@code queueTtlSeconds}) with this client's
 * acceptance window: when the relay may keep a message longer than the client accepts one, a
 * message that waited that long would arrive only to be refused as stale, so the user is told what
 * to change. Recognises the relay's refusal of an envelope sealed too long ago.
 */
final class RelayTtlCheck {
  private RelayTtlCheck() {}

  /** What the user is told about an outbox message the relay refused as expired. */
  static final String EXPIRED_IN_OUTBOX =
      "the message waited on this device for more than "
          + AcceptancePolicy.DEFAULT_WINDOW.toDays()
          + " days, and the server no longer accepts it (its recipient would"
          + " refuse it as stale). Write it again if it still matters.";

  /**
   * True for the relay's answer to an envelope past the acceptance window (docs/PROTOCOL.md section
   * 9).
   */
  static boolean isExpiredRefusal(ErrorCode code, String message) {
    return code == ErrorCode.BAD_ENVELOPE
        && message != null
        && message.startsWith("envelope expired");
  }

  /**
   * Tells {@code notices} (once, for this welcome) if {@code acceptance}'s window is shorter than
   * the relay's TTL.
   */
  static void warnIfWindowShorter(
      AcceptancePolicy acceptance, Frame.Welcome welcome, BiConsumer<String, Remedy> notices) {
    String warning = warning(acceptance.window(), welcome.queueTtlSeconds());
    if (warning != null) {
      notices.accept(
          warning,
          Remedy.forDuration(
              Remedy.Kind.LONGER_WINDOW, Duration.ofSeconds(welcome.queueTtlSeconds())));
    }
  }

  /**
   * The warning for a window shorter than {@code queueTtlSeconds}; null if none is due (or the TTL
   * was not announced).
   */
  static String warning(Duration window, long queueTtlSeconds) {
    if (queueTtlSeconds <= 0 || window.toSeconds() >= queueTtlSeconds) {
      return null;
    }
    return "[!] The server keeps messages for offline users up to "
        + describe(Duration.ofSeconds(queueTtlSeconds))
        + ", but this client accepts messages only up to "
        + describe(window)
        + " old: a message that waits longer is refused as stale when it arrives";
  }

  private static String describe(Duration d) {
    long s = d.toSeconds();
    if (s % 86_400 == 0) {
      return plural(s / 86_400, "day");
    }
    if (s % 3600 == 0) {
      return plural(s / 3600, "hour");
    }
    if (s % 60 == 0) {
      return plural(s / 60, "minute");
    }
    return plural(s, "second");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
