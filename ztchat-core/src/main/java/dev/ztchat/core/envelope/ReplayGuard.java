package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Remembers which (sender, message id) pairs were already accepted, so the opener can refuse a
 * second copy (docs/PROTOCOL.md, section 7, check 5).
 *
 * <p>Security guarantees: while the receiver's clock does not step back by more than the maximum
 * future skew, no envelope is accepted twice, across restarts when the store is persistent ({@link
 * #persistent}). The opener records a pair only after the sender's signature verified, so nobody
 * but the sender can fill the store with ids.
 *
 * <p><b>Why forgetting is safe.</b> Entries are evicted by the <em>message's</em> timestamp once it
 * is older than {@link AcceptancePolicy#retention()} = window + maximum future skew. The opener
 * checks freshness (check 4) before it consults this guard, and it rejects every envelope whose
 * timestamp is more than {@code window} in the past. An evicted entry's timestamp is more than
 * {@code window + skew} in the past, so a replay of it is already rejected as {@link
 * RejectionReason#STALE} and never reaches the guard. The extra {@code skew} is margin: it keeps
 * entries long enough even if the receiver's own clock is corrected backwards by up to that much.
 *
 * <p><b>Why memory stays bounded.</b> Time eviction bounds the store to what authenticated senders
 * can send within one retention span. Beyond that, at most {@code maxEntries} are kept: when the
 * store grows past it, the entries with the oldest timestamps are dropped and the guard raises a
 * floor to the newest dropped timestamp; every message dated at or below the floor counts as seen.
 * A flood therefore costs late messages their acceptance, never lets a replay through. The floor
 * stops mattering once it falls out of the window.
 */
public final class ReplayGuard implements AutoCloseable {
  /** Default bound on remembered ids. */
  public static final long DEFAULT_MAX_ENTRIES = 100_000;

  private final SeenMessageStore store;
  private final AcceptancePolicy policy;
  private final Clock clock;
  private final long maxEntries;

  /** A guard over {@code store} with {@link #DEFAULT_MAX_ENTRIES}. */
  public ReplayGuard(SeenMessageStore store, AcceptancePolicy policy, Clock clock) {
    this(store, policy, clock, DEFAULT_MAX_ENTRIES);
  }

  public ReplayGuard(
      SeenMessageStore store, AcceptancePolicy policy, Clock clock, long maxEntries) {
    this.store = requireNonNull(store, "store");
    this.policy = requireNonNull(policy, "policy");
    this.clock = requireNonNull(clock, "clock");
    if (maxEntries < 1) {
      throw new IllegalArgumentException(
          "maxEntries "
              + maxEntries
              + " is not allowed: use at least 1 (default "
              + DEFAULT_MAX_ENTRIES
              + ")");
    }
    this.maxEntries = maxEntries;
  }

  /** A guard that forgets everything when the process ends. */
  public static ReplayGuard inMemory(AcceptancePolicy policy, Clock clock) {
    return new ReplayGuard(new InMemorySeenMessageStore(), policy, clock);
  }

  /** A guard persisted in a SQLite file (created with mode 0600). */
  public static ReplayGuard persistent(Path file, AcceptancePolicy policy, Clock clock)
      throws IOException {
    return new ReplayGuard(SqliteSeenMessageStore.open(file), policy, clock);
  }

  /** The policy whose retention this guard applies. */
  public AcceptancePolicy policy() {
    return policy;
  }

  /**
   * Records the pair and returns {@code true} the first time it is seen; returns {@code false} for
   * a pair already recorded, or dated at or below the floor. Call only after the sender's signature
   * over the envelope verified and its timestamp passed the acceptance window.
   */
  public synchronized boolean firstSighting(String sender, byte[] messageId, long timestampMillis) {
    store.evictOlderThan(clock.millis() - policy.retention().toMillis());
    if (timestampMillis <= store.floorMillis()) {
      return false;
    }
    if (!store.recordIfAbsent(sender, messageId, timestampMillis)) {
      return false;
    }
    long excess = store.size() - maxEntries;
    if (excess > 0) {
      store.raiseFloor(store.evictOldest(excess));
    }
    return true;
  }

  /**
   * Forgets that ({@code sender}, {@code messageId}) was seen. Only for the receiver that opened
   * the envelope itself and then could not keep what it held (a local disk or database failure,
   * before anything was shown or acknowledged): the relay delivers it again, and that copy must be
   * opened, not refused as a replay. Never call it for a message that was shown.
   */
  public synchronized void release(String sender, byte[] messageId) {
    store.remove(sender, messageId);
  }

  /** Number of ids currently remembered. */
  public synchronized long size() {
    return store.size();
  }

  @Override
  public synchronized void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "ReplayGuard[" + store + ", retention " + policy.retention() + "]";
  }
}
