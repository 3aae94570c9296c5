package dev.ztchat.core.testkit;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that is moved by hand, so nothing sleeps to make time pass: tests, attack simulations and
 * benchmarks inject it wherever the code under test takes a {@link Clock}.
 *
 * <p>It either stands still ({@link #at}, {@link #atRealNow}) or follows the system clock plus an
 * offset ({@link #followingSystem}), for a live relay whose other parts (TLS, sockets) need real
 * time to go on. Either way {@link #advance} moves it forward. Thread-safe. UTC only.
 */
public final class MutableClock extends Clock {
  private final Clock base;
  private volatile Duration offset = Duration.ZERO;

  private MutableClock(Clock base) {
    this.base = base;
  }

  /** A clock standing still at {@code instant}. */
  public static MutableClock at(Instant instant) {
    return new MutableClock(Clock.fixed(requireNonNull(instant, "instant"), ZoneOffset.UTC));
  }

  /** A clock standing still at the real current instant, truncated to milliseconds. */
  public static MutableClock atRealNow() {
    return at(Instant.ofEpochMilli(System.currentTimeMillis()));
  }

  /** The system clock plus an offset that {@link #advance} moves forward. */
  public static MutableClock followingSystem() {
    return new MutableClock(Clock.systemUTC());
  }

  /** Moves this clock by {@code by} (forward when positive). */
  public synchronized void advance(Duration by) {
    offset = offset.plus(requireNonNull(by, "by"));
  }

  /** Puts this clock at {@code instant} (a clock following the system goes on from there). */
  public synchronized void set(Instant instant) {
    offset = Duration.between(base.instant(), requireNonNull(instant, "instant"));
  }

  @Override
  public Instant instant() {
    return base.instant().plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (!ZoneOffset.UTC.equals(zone)) {
      throw new UnsupportedOperationException("a MutableClock runs in UTC only");
    }
    return this;
  }
}
