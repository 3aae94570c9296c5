package dev.ztchat.core.envelope;

import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link SeenMessageStore} in memory: forgotten when the process ends, so a replay after a
 * restart is not caught. For tests and for clients that choose not to persist; use {@link
 * SqliteSeenMessageStore} otherwise.
 */
public final class InMemorySeenMessageStore implements SeenMessageStore {
  private record Entry(long timestampMillis, String sender, String messageIdHex) {}

  private static final Comparator<Entry> BY_AGE =
      Comparator.comparingLong(Entry::timestampMillis)
          .thenComparing(Entry::sender)
          .thenComparing(Entry::messageIdHex);

  private final Set<String> keys = new HashSet<>();
  private final TreeSet<Entry> byAge = new TreeSet<>(BY_AGE);
  private long floor = Long.MIN_VALUE;

  /** An empty store. */
  public InMemorySeenMessageStore() {}

  @Override
  public boolean recordIfAbsent(String sender, byte[] messageId, long timestampMillis) {
    String id = HexFormat.of().formatHex(messageId);
    if (!keys.add(key(sender, id))) {
      return false;
    }
    byAge.add(new Entry(timestampMillis, sender, id));
    return true;
  }

  @Override
  public void remove(String sender, byte[] messageId) {
    String id = HexFormat.of().formatHex(messageId);
    if (keys.remove(key(sender, id))) {
      byAge.removeIf(e -> e.sender().equals(sender) && e.messageIdHex().equals(id));
    }
  }

  @Override
  public void evictOlderThan(long cutoffMillis) {
    while (!byAge.isEmpty() && byAge.first().timestampMillis() < cutoffMillis) {
      forget(byAge.pollFirst());
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
      Entry e = byAge.pollFirst();
      forget(e);
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

  private void forget(Entry e) {
    keys.remove(key(e.sender(), e.messageIdHex()));
  }

  // A user name never contains '/', so the key is unambiguous.
  private static String key(String sender, String messageIdHex) {
    return sender + "/" + messageIdHex;
  }
}
