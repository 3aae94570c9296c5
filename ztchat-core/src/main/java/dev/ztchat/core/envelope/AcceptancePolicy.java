package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.ProtocolLimits;
import java.time.Duration;

/**
 * How far an envelope's timestamp may be from the receiver's clock (docs/PROTOCOL.md, section 7,
 * check 4): at most {@code window} in the past and at most {@code maxFutureSkew} in the future,
 * both bounds inclusive. The replay guard keeps message ids for {@link #retention()}, the span in
 * which an envelope can pass this check.
 */
public record AcceptancePolicy(Duration window, Duration maxFutureSkew) {
  /**
   * As long as the relay keeps a message for an offline recipient by default: a message that waited
   * in the queue up to its TTL is still accepted, and the replay cache covers that whole period.
   */
  public static final Duration DEFAULT_WINDOW = ProtocolLimits.DEFAULT_MESSAGE_TTL;

  public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofSeconds(30);
  public static final Duration MAX_WINDOW = Duration.ofDays(30);
  public static final Duration MAX_FUTURE_SKEW = Duration.ofHours(1);

  /** Seven days back (the default queue TTL), thirty seconds ahead. */
  public static final AcceptancePolicy DEFAULT =
      new AcceptancePolicy(DEFAULT_WINDOW, DEFAULT_MAX_FUTURE_SKEW);

  public AcceptancePolicy {
    requireNonNull(window, "window");
    requireNonNull(maxFutureSkew, "maxFutureSkew");
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException(
          "acceptance window "
              + window
              + " is not allowed: use 1 second to "
              + MAX_WINDOW.toDays()
              + " days (default "
              + DEFAULT_WINDOW.toDays()
              + " days)");
    }
    if (maxFutureSkew.isNegative() || maxFutureSkew.compareTo(MAX_FUTURE_SKEW) > 0) {
      throw new IllegalArgumentException(
          "maximum future skew "
              + maxFutureSkew
              + " is not allowed: use 0 to "
              + MAX_FUTURE_SKEW.toMinutes()
              + " minutes (default "
              + DEFAULT_MAX_FUTURE_SKEW.toSeconds()
              + " seconds)");
    }
  }

  /** A policy with the given window and the default future skew. */
  public static AcceptancePolicy ofWindow(Duration window) {
    return new AcceptancePolicy(window, DEFAULT_MAX_FUTURE_SKEW);
  }

  /** How long a message id must be remembered: {@code window + maxFutureSkew}. */
  public Duration retention() {
    return window.plus(maxFutureSkew);
  }
}
