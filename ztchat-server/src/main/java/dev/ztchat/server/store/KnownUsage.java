package dev.ztchat.server.store;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each recipient's queue held when this relay node last counted it, for the quota checks of
 * {@link PostgresOfflineQueue}: so that an enqueue costs the same with 10 or 100,000 envelopes
 * waiting, instead of counting the recipient's whole queue each time.
 *
 * <p>A count is used only while it is known to be whole. It is tied to the newest unexpired copy
 * the recipient's queue held when it was made (or that this node stored since): every enqueue reads
 * that copy's {@code seq} under the recipient's lock (one index lookup), and any other value means
 * the queue changed in a way not counted here (another node stored a copy, which always gets a
 * higher {@code seq} because it stored under the same lock; this node's transaction rolled back;
 * the newest copy was acknowledged or expired), and the queue is counted again. Copies removed
 * elsewhere (acknowledgements, expiry) are not subtracted: the count can only be too high, never
 * too low, and a count that would refuse an envelope is made again before it does. So the quotas
 * hold whichever node writes, as when every enqueue counted.
 *
 * <p>Thread-safe. One entry per recipient written to through this node, as the SQLite store keeps.
 */
final class KnownUsage {
  /**
   * A recipient's usage: copies and bytes, in all and per sender, as of the copy {@code newest}.
   */
  static final class Counts {
    private final Map<String, long[]> bySender;
    private long newest;
    private long count;
    private long bytes;

    /** {@code bySender}: {count, bytes} per sender, as counted in the table. */
    Counts(long newest, Map<String, long[]> bySender) {
      this.newest = newest;
      this.bySender = new HashMap<>(bySender);
      for (long[] u : bySender.values()) {
        count += u[0];
        bytes += u[1];
      }
    }

    synchronized long count() {
      return count;
    }

    synchronized long bytes() {
      return bytes;
    }

    /** {count, bytes} from {@code sender}. */
    synchronized long[] of(String sender) {
      long[] u = bySender.get(sender);
      return u == null ? new long[2] : u.clone();
    }

    private synchronized void stored(String sender, int size, long seq) {
      long[] u = bySender.computeIfAbsent(sender, s -> new long[2]);
      u[0]++;
      u[1] += size;
      count++;
      bytes += size;
      newest = seq;
    }

    /** The {@code seq} of the newest copy these counts include, 0 for none. */
    synchronized long newest() {
      return newest;
    }
  }

  private final Map<String, Counts> byRecipient = new ConcurrentHashMap<>();

  /**
   * {@code recipient}'s counts as last made or kept here, or null: whole only if the queue's newest
   * unexpired copy is still {@link Counts#newest}.
   */
  Counts kept(String recipient) {
    return byRecipient.get(recipient);
  }

  /** The counts just read from the table, whose newest unexpired copy is {@code newest}. */
  Counts counted(String recipient, long newest, Map<String, long[]> bySender) {
    Counts c = new Counts(newest, bySender);
    byRecipient.put(recipient, c);
    return c;
  }

  /**
   * This node stored copy {@code seq} of {@code size} bytes from {@code sender}, the recipient's
   * newest, in the transaction that read {@code counts}.
   */
  static void stored(Counts counts, String sender, int size, long seq) {
    counts.stored(sender, size, seq);
  }

  /** Forgets every count (they are made again on the next enqueue). */
  void clear() {
    byRecipient.clear();
  }
}
