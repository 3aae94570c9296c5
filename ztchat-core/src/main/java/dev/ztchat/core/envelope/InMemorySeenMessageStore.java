package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A {@link SeenMessageStore} in memory: forgotten when the process ends, so a replay after a
 * restart is not caught. For tests and for clients that choose not to persist; use {@link
 * SqliteSeenMessageStore} otherwise.
 */
public final class InMemorySeenMessageStore implements SeenMessageStore {
  /** A (sender, message id) pair, compared by content. */
  private record Key(String sender, byte[] messageId) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && sender.equals(k.sender) && Arrays.equals(messageId, k.messageId);
    }

    @Override
    public int hashCode() {
      return sender.hashCode() * 31 + Arrays.hashCode(messageId);
    }
  }

  /** A recorded pair with its timestamp; {@code order} tells pairs of one timestamp apart. */
  private record Entry(long timestampMillis, long order, Key key) {}

  private static final Comparator<Entry> BY_AGE =
      (a, b) ->
          a.timestampMillis != b.timestampMillis
              ? Long.compare(a.timestampMillis, b.timestampMillis)
              : Long.compare(a.order, b.order);

  private final Map<Key, Entry> entries = new HashMap<>();

  /**
   * The entries, oldest at the head: a binary heap in one array, since ids arrive roughly in
   * timestamp order and then cost one comparison to add (a balanced tree walked and rebalanced some
   * seventeen nodes for each of the benchmark's 100,000 ids). Only {@link #remove}, for a message
   * that could not be kept, searches it.
   */
  private final PriorityQueue<Entry> byAge = new PriorityQueue<>(BY_AGE);

  private long recorded;
  private long floor = Long.MIN_VALUE;

  /** An empty store. */
  public InMemorySeenMessageStore() {}

  @Override
  public boolean recordIfAbsent(String sender, byte[] messageId, long timestampMillis) {
    Key key = new Key(requireNonNull(sender, "sender"), messageId.clone());
    if (entries.containsKey(key)) {
      return false;
    }
    Entry e = new Entry(timestampMillis, recorded++, key);
    entries.put(key, e);
    byAge.add(e);
    return true;
  }

  @Override
  public void remove(String sender, byte[] messageId) {
    Entry e = entries.remove(new Key(sender, messageId));
    if (e != null) {
      byAge.remove(e);
    }
  }

  @Override
  public void evictOlderThan(long cutoffMillis) {
    while (!byAge.isEmpty() && byAge.peek().timestampMillis() < cutoffMillis) {
      entries.remove(byAge.poll().key());
    }
  }

  @Override
  public long size() {
    return byAge.size();
  }

  @Override
  public long evictOldest(long count) {
    long newest = Long.MIN_VALUE;
    for (long i = 0; i < count && !byAge.isEmpty(); i++) {
      Entry e = byAge.poll();
      entries.remove(e.key());
      newest = Math.max(newest, e.timestampMillis());
    }
    return newest;
  }

  @Override
  public long floorMillis() {
    return floor;
  }

  @Override
  public void raiseFloor(long floorMillis) {
    floor = Math.max(floor, floorMillis);
  }

  @Override
  public void close() {}
}
