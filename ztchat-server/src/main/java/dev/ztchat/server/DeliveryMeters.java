package dev.ztchat.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The delivery service's counters: envelopes accepted from senders, delivered (acknowledged by
 * their recipient), expired (refused on arrival as too old, or purged from the store at their TTL),
 * and how long each store transaction took. Exported by the admin listener's /metrics.
 */
final class DeliveryMeters {
  private final Counter accepted;
  private final Counter delivered;
  private final Counter expired;
  private final Timer storeLatency;

  DeliveryMeters(MeterRegistry meters) {
    this.accepted =
        Counter.builder("ztchat.messages.accepted")
            .description("Envelopes accepted from senders (stored, or delivered from memory)")
            .register(meters);
    this.delivered =
        Counter.builder("ztchat.messages.delivered")
            .description("Envelopes acknowledged by their recipient")
            .register(meters);
    this.expired =
        Counter.builder("ztchat.messages.expired")
            .description("Envelopes refused as too old on arrival or purged at their TTL")
            .register(meters);
    this.storeLatency =
        Timer.builder("ztchat.store.transaction")
            .description("Duration of one store transaction (a batch of changes, one disk sync)")
            .publishPercentileHistogram()
            .register(meters);
  }

  Counter accepted() {
    return accepted;
  }

  Counter delivered() {
    return delivered;
  }

  Counter expired() {
    return expired;
  }

  /** An envelope whose recipient acknowledged it from memory before the store wrote it. */
  void acceptedAndDelivered() {
    accepted.increment();
    delivered.increment();
  }

  void storeBatch(long nanos) {
    storeLatency.record(nanos, TimeUnit.NANOSECONDS);
  }
}
