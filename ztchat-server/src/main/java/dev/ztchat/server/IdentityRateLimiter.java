package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * One token bucket per identity (Bucket4j), shared by all connections of that identity: each frame
 * takes a token; {@code perSecond} tokens come back each second, up to {@code burst}. A user with
 * several devices shares one budget, so opening more connections does not buy more rate. Across
 * relay nodes sharing a store the budget is shared too: a node charges a frame as many tokens as
 * there are nodes the identity is connected to, so each node grants its share of the one budget
 * (docs/DEPLOYMENT.md, several nodes).
 *
 * <p>Buckets are kept per certified identity name; their number is bounded by the users the CA
 * issued, so they are never evicted.
 */
final class IdentityRateLimiter {
  private final int perSecond;
  private final int burst;
  private final TimeMeter time;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final ToIntFunction<String> nodesServing;

  IdentityRateLimiter(int perSecond, int burst, TimeMeter time) {
    this(perSecond, burst, time, identity -> 1);
  }

  /**
   * As {@link #IdentityRateLimiter(int, int, TimeMeter)}, on one of several relay nodes: {@code
   * nodesServing} says on how many nodes an identity is connected (at least 1, from memory), and
   * each frame here costs that many tokens, so that the identity's rate over all nodes stays within
   * one budget.
   */
  IdentityRateLimiter(
      int perSecond, int burst, TimeMeter time, ToIntFunction<String> nodesServing) {
    this.nodesServing = requireNonNull(nodesServing, "nodesServing");
    if (perSecond < 1 || burst < 1) {
      throw new IllegalArgumentException("rate and burst must be at least 1");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.time = requireNonNull(time, "time");
  }

  /**
   * Takes one token for {@code identity}; false when its bucket is empty (the frame must be
   * dropped).
   */
  boolean tryAcquire(String identity) {
    int cost = Math.clamp(nodesServing.applyAsInt(identity), 1, burst);
    return buckets.computeIfAbsent(identity, id -> newBucket()).tryConsume(cost);
  }

  int perSecond() {
    return perSecond;
  }

  int burst() {
    return burst;
  }

  /** Nanoseconds on the limiter's time line (for windows measured beside the buckets). */
  long nanoTime() {
    return time.currentTimeNanos();
  }

  private Bucket newBucket() {
    Bandwidth limit =
        Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build();
    return Bucket.builder().addLimit(limit).withCustomTimePrecision(time).build();
  }
}
