package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How fast one identity may take other users' one-time prekeys (docs/v2/prekeys.md section 5): per
 * (requester, target) pair and per requester over all targets, each a token bucket (kept as its
 * theoretical arrival time, GCRA) of {@code burst} one-time prekeys that refills one every {@code
 * interval}. A fetch over either limit gets the last-resort prekey instead, so a session still
 * starts, and a victim's supply drains no faster than {@code pairBurst} plus one per {@code
 * pairInterval} per identity.
 *
 * <p>State is in memory (a restart refills every bucket: the relay restarts rarely, and the supply
 * is refilled by its owner anyway) and time comes from the injected clock. Buckets that are full
 * again carry no information and are dropped once more than {@value #PRUNE_ABOVE} are tracked.
 * Thread-safe.
 */
final class PrekeyDrainLimiter {
  /** Default one-time prekeys one identity may take of one user at once. */
  static final int DEFAULT_PAIR_BURST = 3;

  /** Default time after which one more of one user's one-time prekeys may be taken. */
  static final Duration DEFAULT_PAIR_INTERVAL = Duration.ofHours(1);

  /** Default one-time prekeys one identity may take over all users at once. */
  static final int DEFAULT_REQUESTER_BURST = 30;

  /** Default time after which one more one-time prekey of anyone may be taken. */
  static final Duration DEFAULT_REQUESTER_INTERVAL = Duration.ofMinutes(2);

  private static final int PRUNE_ABOVE = 100_000;

  /** Which limit a fetch was over. */
  enum Verdict {
    ALLOWED,
    PAIR_LIMIT,
    REQUESTER_LIMIT
  }

  private final Clock clock;
  private final int pairBurst;
  private final long pairIntervalMillis;
  private final int requesterBurst;
  private final long requesterIntervalMillis;

  /** Theoretical arrival time (ms) per bucket: the bucket is full when it is not after now. */
  private final Map<String, Long> tat = new HashMap<>();

  PrekeyDrainLimiter(
      Clock clock,
      int pairBurst,
      Duration pairInterval,
      int requesterBurst,
      Duration requesterInterval) {
    this.clock = requireNonNull(clock, "clock");
    if (pairBurst < 1 || requesterBurst < 1) {
      throw new IllegalArgumentException("bursts must be at least 1");
    }
    this.pairBurst = pairBurst;
    this.pairIntervalMillis = positiveMillis(pairInterval);
    this.requesterBurst = requesterBurst;
    this.requesterIntervalMillis = positiveMillis(requesterInterval);
  }

  /** The default limits. */
  static PrekeyDrainLimiter withDefaults(Clock clock) {
    return new PrekeyDrainLimiter(
        clock,
        DEFAULT_PAIR_BURST,
        DEFAULT_PAIR_INTERVAL,
        DEFAULT_REQUESTER_BURST,
        DEFAULT_REQUESTER_INTERVAL);
  }

  private static long positiveMillis(Duration d) {
    if (d.toMillis() < 1) {
      throw new IllegalArgumentException("intervals must be at least 1 ms");
    }
    return d.toMillis();
  }

  /**
   * Takes one token from both of the requester's buckets, or none: {@link Verdict#ALLOWED} when
   * {@code requester} may take one more of {@code target}'s one-time prekeys now.
   */
  synchronized Verdict tryTake(String requester, String target) {
    long now = clock.millis();
    String pair = requester + '\n' + target; // names never hold a newline
    String all = requester + '\n';
    if (!fits(pair, now, pairBurst, pairIntervalMillis)) {
      return Verdict.PAIR_LIMIT;
    }
    if (!fits(all, now, requesterBurst, requesterIntervalMillis)) {
      return Verdict.REQUESTER_LIMIT;
    }
    take(pair, now, pairIntervalMillis);
    take(all, now, requesterIntervalMillis);
    if (tat.size() > PRUNE_ABOVE) {
      tat.values().removeIf(t -> t <= now);
    }
    return Verdict.ALLOWED;
  }

  private boolean fits(String key, long now, int burst, long interval) {
    long t = Math.max(tat.getOrDefault(key, now), now);
    return t - now <= (burst - 1) * interval;
  }

  private void take(String key, long now, long interval) {
    tat.put(key, Math.max(tat.getOrDefault(key, now), now) + interval);
  }

  int pairBurst() {
    return pairBurst;
  }

  int requesterBurst() {
    return requesterBurst;
  }
}
