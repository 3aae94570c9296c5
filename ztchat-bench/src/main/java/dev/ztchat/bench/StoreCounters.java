package dev.ztchat.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * A relay's own counts of its store work, read from its meters (what /metrics exports as {@code
 * ztchat_store_transaction_seconds_count} and {@code ztchat_messages_delivered_total}): store
 * transactions committed (each a batch of changes and one commit; on PostgreSQL at least one round
 * trip) and envelopes acknowledged by their recipient.
 *
 * @param transactions store transactions committed since the relay started
 * @param delivered envelopes acknowledged by their recipient since the relay started
 */
record StoreCounters(long transactions, long delivered) {
  static final StoreCounters ZERO = new StoreCounters(0, 0);

  static StoreCounters of(MeterRegistry meters) {
    Timer t = meters.find("ztchat.store.transaction").timer();
    Counter d = meters.find("ztchat.messages.delivered").counter();
    return new StoreCounters(t == null ? 0 : t.count(), d == null ? 0 : (long) d.count());
  }

  /** The inverse of {@link #toString}: "transactions delivered". */
  static StoreCounters parse(String text) {
    String[] f = text.strip().split(" ");
    return new StoreCounters(Long.parseLong(f[0]), Long.parseLong(f[1]));
  }

  StoreCounters plus(StoreCounters o) {
    return new StoreCounters(transactions + o.transactions, delivered + o.delivered);
  }

  StoreCounters minus(StoreCounters o) {
    return new StoreCounters(transactions - o.transactions, delivered - o.delivered);
  }

  @Override
  public String toString() {
    return transactions + " " + delivered;
  }
}
