package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The delays between reconnect attempts: exponential backoff with full jitter. The n-th delay since
 * the last {@link #reset()} is drawn uniformly from {@code [0, min(max, initial * factor^n))}, so
 * many clients cut off together do not all come back at the same moment, and a relay that is down
 * is asked at most about once per {@code max}.
 *
 * <p>Not thread-safe: one instance belongs to one reconnect loop.
 */
final class Backoff {
  /** The first delay's ceiling for reconnecting to the relay. */
  public static final Duration RECONNECT_INITIAL = Duration.ofMillis(500);

  /** The largest delay between reconnect attempts. */
  public static final Duration RECONNECT_MAX = Duration.ofSeconds(30);

  /** How much the ceiling grows after each failed attempt. */
  public static final double RECONNECT_FACTOR = 2.0;

  private static final Duration LONGEST_MAX = Duration.ofHours(1);

  private final long initialNanos;
  private final long maxNanos;
  private final double factor;
  private final RandomGenerator random;
  private double ceilingNanos;

  /**
   * A backoff whose first ceiling is {@code initial}, growing by {@code factor} up to {@code max},
   * with jitter drawn from {@code random}.
   */
  public Backoff(Duration initial, double factor, Duration max, RandomGenerator random) {
    requireNonNull(initial, "initial");
    requireNonNull(max, "max");
    this.random = requireNonNull(random, "random");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("backoff initial delay must be positive, not " + initial);
    }
    if (max.compareTo(initial) < 0 || max.compareTo(LONGEST_MAX) > 0) {
      throw new IllegalArgumentException(
          "backoff max delay must be from the initial delay ("
              + initial
              + ") to "
              + LONGEST_MAX
              + ", not "
              + max);
    }
    if (!(factor >= 1.0 && factor <= 100.0)) {
      throw new IllegalArgumentException("backoff factor must be from 1 to 100, not " + factor);
    }
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.factor = factor;
    this.ceilingNanos = initialNanos;
  }

  /** The relay reconnect policy: 500 ms growing by 2 up to 30 s, jitter from {@code random}. */
  public static Backoff forReconnect(RandomGenerator random) {
    return new Backoff(RECONNECT_INITIAL, RECONNECT_FACTOR, RECONNECT_MAX, random);
  }

  /** The relay reconnect policy with the platform's default generator for jitter. */
  public static Backoff forReconnect() {
    return forReconnect(RandomGenerator.getDefault());
  }

  /** The delay before the next attempt; each call raises the ceiling for the one after. */
  public Duration next() {
    double u = random.nextDouble();
    if (!(u >= 0.0 && u < 1.0)) {
      u = 0.0; // a generator outside its contract must not stretch the delay past the ceiling
    }
    long delay = (long) (ceilingNanos * u);
    ceilingNanos = Math.min((double) maxNanos, ceilingNanos * factor);
    return Duration.ofNanos(delay);
  }

  /** Starts again from the initial ceiling (after a connection succeeded). */
  public void reset() {
    ceilingNanos = initialNanos;
  }

  @Override
  public String toString() {
    return "Backoff[initial="
        + Duration.ofNanos(initialNanos)
        + ", factor="
        + factor
        + ", max="
        + Duration.ofNanos(maxNanos)
        + "]";
  }
}
