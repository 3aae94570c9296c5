package dev.ztchat.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The order in which envelopes were accepted for each recipient, kept only until each is settled
 * (pushed from memory, or handed to the recipient's delivery cursor from the store). An envelope
 * may be pushed from memory only while nothing accepted before it is unsettled: no live push ever
 * overtakes an envelope still on its way through the store.
 */
final class AcceptanceOrder {
  private final AtomicLong tickets = new AtomicLong();
  private final ConcurrentHashMap<String, ConcurrentSkipListSet<Long>> unsettled =
      new ConcurrentHashMap<>();

  /** Records an envelope accepted for {@code recipient}; returns its ticket. */
  long admit(String recipient) {
    long t = tickets.incrementAndGet();
    unsettled.computeIfAbsent(recipient, r -> new ConcurrentSkipListSet<>()).add(t);
    return t;
  }

  /**
   * Whether no envelope accepted for {@code recipient} before {@code ticket} is still unsettled.
   */
  boolean nothingBefore(String recipient, long ticket) {
    ConcurrentSkipListSet<Long> s = unsettled.get(recipient);
    Long first = s == null ? null : s.ceiling(0L);
    return first == null || first >= ticket;
  }

  /** The envelope with {@code ticket} reached {@code recipient}'s cursor (or can no longer). */
  void settle(String recipient, long ticket) {
    ConcurrentSkipListSet<Long> s = unsettled.get(recipient);
    if (s != null) {
      s.remove(ticket);
    }
  }
}
