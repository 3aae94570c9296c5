package dev.ztchat.core.envelope;

/**
 * Storage behind {@link ReplayGuard}: the set of (sender, message id) pairs already accepted, each
 * with the message's header timestamp, plus a "floor" timestamp at or below which every message is
 * treated as seen. Implementations need not be thread-safe: the guard serializes all calls.
 *
 * <p>A store that cannot answer throws an unchecked exception; the opener then fails closed (no
 * plaintext is returned).
 */
public interface SeenMessageStore extends AutoCloseable {
  /**
   * Records the pair; returns {@code true} if it was new and {@code false} if it was already
   * present (in which case nothing changes). Must be atomic and durable before it returns.
   */
  boolean recordIfAbsent(String sender, byte[] messageId, long timestampMillis);

  /**
   * Forgets the pair if present, so that it counts as new again. For a message that was opened but
   * could not be kept (see {@link ReplayGuard#release}). By default unsupported.
   */
  default void remove(String sender, byte[] messageId) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot forget an id");
  }

  /** Forgets every entry whose timestamp is strictly less than {@code cutoffMillis}. */
  void evictOlderThan(long cutoffMillis);

  /** Number of entries held. */
  long size();

  /**
   * Forgets the {@code count} entries with the smallest timestamps and returns the largest
   * timestamp forgotten, or {@link Long#MIN_VALUE} when nothing was forgotten.
   */
  long evictOldest(long count);

  /**
   * The floor: messages with a timestamp at or below it count as seen. Initially {@link
   * Long#MIN_VALUE}.
   */
  long floorMillis();

  /** Raises the floor to {@code floorMillis} if that is higher than the current floor. */
  void raiseFloor(long floorMillis);

  @Override
  void close();
}
