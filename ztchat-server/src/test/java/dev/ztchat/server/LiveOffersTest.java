package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.RoutingPrefix;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Envelopes accepted during a read reach the recipients' pumps when the read ends, not before. */
class LiveOffersTest {
  private static LiveEnvelope offered(EmbeddedChannel from, String ref, int id) {
    byte[] messageId = new byte[16];
    messageId[0] = (byte) id;
    RoutingPrefix header = new RoutingPrefix(1, "alice", List.of("bob"), 0, messageId);
    return new LiveEnvelope(from, ref, header, new byte[] {1}, "bob", id, 0L);
  }

  @Test
  void offersGatheredDuringARead_reachThePumpOnlyWhenHandedOver() {
    EmbeddedChannel from = new EmbeddedChannel();
    EmbeddedChannel to = new EmbeddedChannel();
    // a pump that may not push from memory declines what it is offered: that shows it was offered
    DeliveryPump pump = new DeliveryPump(to, "bob", (p, after, limit) -> {}, new AcceptanceOrder());
    LiveEnvelope first = offered(from, "r1", 1);
    LiveEnvelope second = offered(from, "r2", 2);
    LiveOffers.add(from, pump, first);
    LiveOffers.add(from, pump, second);
    to.runPendingTasks();
    assertThat(first.isOffered()).as("not before the read's end").isTrue();
    assertThat(second.isOffered()).isTrue();

    LiveOffers.handOver(from);
    to.runPendingTasks();
    assertThat(first.isOffered()).isFalse();
    assertThat(second.isOffered()).isFalse();
    assertThat(first.storeNotBefore(1_000_000_000L)).as("declined: for the store at once").isZero();
  }

  @Test
  void handingOverTwice_offersEachEnvelopeOnce() {
    EmbeddedChannel from = new EmbeddedChannel();
    EmbeddedChannel to = new EmbeddedChannel();
    DeliveryPump pump = new DeliveryPump(to, "bob", (p, after, limit) -> {}, new AcceptanceOrder());
    LiveEnvelope e = offered(from, "r1", 1);
    LiveOffers.add(from, pump, e);
    LiveOffers.handOver(from);
    to.runPendingTasks();
    assertThat(e.isOffered()).isFalse();
    // nothing is left to hand over: a second read's end with no sends schedules nothing
    LiveOffers.handOver(from);
    assertThat(to.hasPendingTasks()).isFalse();
  }
}
