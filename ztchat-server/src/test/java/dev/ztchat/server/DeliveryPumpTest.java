package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.server.store.QueuedEnvelope;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pump's cursor: pages and hand-overs merge without gaps or repeats, within the window. */
class DeliveryPumpTest {
  /** The page requests the pump made: after which seq, how many. */
  final List<long[]> reads = new ArrayList<>();

  EmbeddedChannel channel;
  AcceptanceOrder order;
  DeliveryPump pump;

  @BeforeEach
  void setUp() {
    channel = new EmbeddedChannel();
    order = new AcceptanceOrder();
    pump =
        new DeliveryPump(
            channel, "bob", (p, after, limit) -> reads.add(new long[] {after, limit}), order);
  }

  static QueuedEnvelope env(long seq) {
    return new QueuedEnvelope(
        seq, "bob", "alice", id(seq), ("m" + seq).getBytes(StandardCharsets.UTF_8));
  }

  static String id(long seq) {
    return String.format("%032x", seq);
  }

  static List<QueuedEnvelope> envs(long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(DeliveryPumpTest::env).toList();
  }

  /** The seqs pushed so far, in order. */
  List<Long> pushed() {
    channel.runPendingTasks();
    List<Long> out = new ArrayList<>();
    Object m;
    while ((m = channel.readOutbound()) != null) {
      out.add(
          Long.parseLong(
              new String(((Frame.Deliver) m).envelope(), StandardCharsets.UTF_8).substring(1)));
    }
    return out;
  }

  void ack(long seq) {
    pump.acked(DeliveryPump.key("alice", id(seq)));
  }

  @Test
  void firstPage_isPushedUpToTheWindow_andEachAckFreesOneSlot() {
    pump.onPage(envs(1, 100), DeliveryPump.PAGE);
    assertThat(pushed())
        .containsExactlyElementsOf(LongStream.rangeClosed(1, DeliveryPump.WINDOW).boxed().toList());
    ack(1);
    ack(2);
    assertThat(pushed()).containsExactly(DeliveryPump.WINDOW + 1L, DeliveryPump.WINDOW + 2L);
    ack(1);
    assertThat(pushed()).as("a repeated ack frees nothing").isEmpty();
  }

  @Test
  void wake_whenCaughtUp_readsTheStoreAfterTheLastEnvelope_andPushesWhatAnotherNodeStored() {
    pump.onPage(envs(1, 2), DeliveryPump.PAGE);
    assertThat(pushed()).containsExactly(1L, 2L);
    reads.clear();
    pump.wake();
    assertThat(reads).hasSize(1);
    assertThat(reads.getFirst()[0]).isEqualTo(2L);
    pump.onPage(envs(3, 4), DeliveryPump.PAGE);
    assertThat(pushed()).containsExactly(3L, 4L);
  }

  @Test
  void handOver_storedAfterAnEnvelopeNotYetRead_isLeftToAPage_thatReadsBothInOrder() {
    pump.onPage(envs(1, 2), DeliveryPump.PAGE);
    assertThat(pushed()).containsExactly(1L, 2L);
    reads.clear();
    QueuedEnvelope five = env(5);
    // seq 4 was stored by another node before 5, and its notice has not arrived yet
    pump.offer(
        List.of(
            new QueuedEnvelope(
                5, five.recipient(), five.sender(), five.messageId(), five.envelope(), 4)));
    assertThat(pushed()).as("not ahead of 4").isEmpty();
    assertThat(reads).hasSize(1);
    assertThat(reads.getFirst()[0]).isEqualTo(2L);
    pump.onPage(List.of(env(4), env(5)), DeliveryPump.PAGE);
    assertThat(pushed()).containsExactly(4L, 5L);
  }

  @Test
  void wake_whileAPageIsBeingRead_readsAgainAfterIt() {
    pump.wake(); // the first page is being read: it may predate the other node's commit
    assertThat(reads).isEmpty();
    pump.onPage(envs(1, 2), DeliveryPump.PAGE);
    assertThat(pushed()).containsExactly(1L, 2L);
    assertThat(reads).as("a second page after the one in flight").hasSize(1);
    assertThat(reads.getFirst()[0]).isEqualTo(2L);
    pump.onPage(envs(3, 3), DeliveryPump.PAGE);
    assertThat(pushed()).containsExactly(3L);
    assertThat(reads).as("caught up: no further read").hasSize(1);
  }

  @Test
  void handOver_whileThePageIsStillBeingRead_isLeftToThePage() {
    pump.offer(envs(3, 3)); // committed before the first page was read: the page has it
    pump.onPage(envs(1, 3), DeliveryPump.PAGE);
    pump.offer(envs(4, 5));
    assertThat(pushed()).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(reads).isEmpty();
  }

  @Test
  void handOver_afterAFullPage_isLeftToTheNextPage() {
    pump.onPage(envs(1, DeliveryPump.PAGE), DeliveryPump.PAGE);
    pump.offer(
        envs(DeliveryPump.PAGE + 1L, DeliveryPump.PAGE + 1L)); // the store may hold more before it
    for (long s = 1; s <= DeliveryPump.PAGE; s++) {
      ack(s);
    }
    assertThat(pushed()).hasSize(DeliveryPump.PAGE);
    assertThat(reads).extracting(r -> r[0]).containsExactly((long) DeliveryPump.PAGE);
    pump.onPage(envs(DeliveryPump.PAGE + 1L, DeliveryPump.PAGE + 1L), DeliveryPump.PAGE);
    assertThat(pushed()).containsExactly(DeliveryPump.PAGE + 1L);
  }

  @Test
  void handOverBeyondAPage_staysInTheStore_andIsReadFromItInOrder() {
    pump.onPage(List.of(), DeliveryPump.PAGE);
    pump.offer(envs(1, DeliveryPump.PAGE + 1L));
    assertThat(pushed()).as("too many to hold: read them as a page").isEmpty();
    assertThat(reads).extracting(r -> r[0]).containsExactly(0L);
    pump.onPage(envs(1, 10), DeliveryPump.PAGE);
    assertThat(pushed()).containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
  }

  @Test
  void closedChannel_isPushedNothing() {
    channel.close();
    pump.onPage(envs(1, 3), DeliveryPump.PAGE);
    assertThat(pushed()).isEmpty();
  }

  /** Envelope {@code seq} accepted for bob with {@code ticket}, offered from memory. */
  LiveEnvelope live(long seq, long ticket) {
    byte[] id = ByteBuffer.allocate(16).putLong(8, seq).array();
    RoutingPrefix header = new RoutingPrefix(1, "alice", List.of("bob"), 0, id);
    return new LiveEnvelope(
        new EmbeddedChannel(), "s" + seq, header, env(seq).envelope(), "bob", ticket, 0);
  }

  /** Caught up with an empty store, as the bob's only connection. */
  void caughtUpAndSole() {
    pump.allowLive();
    pump.onPage(List.of(), DeliveryPump.PAGE);
  }

  @Test
  void liveOffer_whenCaughtUp_isPushedAtOnce_andTheStoresCopyIsNotPushedAgain() {
    caughtUpAndSole();
    LiveEnvelope e = live(1, order.admit("bob"));
    pump.offerLive(e);
    assertThat(pushed()).containsExactly(1L);
    assertThat(e.claimForStore()).as("not acknowledged yet: the store writes it").isTrue();
    e.stored(1);
    pump.offer(envs(1, 1));
    assertThat(pushed()).as("the store's copy is recognised").isEmpty();
    assertThat(pump.ackedHere(DeliveryPump.key("alice", id(1))))
        .as("written: the ack deletes it")
        .isNull();
  }

  @Test
  void ackBeforeTheStoreGotToIt_settlesItFromMemory_andTheStoreSkipsIt() {
    caughtUpAndSole();
    LiveEnvelope e = live(1, order.admit("bob"));
    pump.offerLive(e);
    assertThat(pushed()).containsExactly(1L);
    assertThat(e.storeNotBefore(1_000))
        .as("the store leaves it to the ack for a while")
        .isNotZero();
    assertThat(pump.ackedHere(DeliveryPump.key("alice", id(1)))).isSameAs(e);
    assertThat(e.claimForStore()).isFalse();
  }

  @Test
  void liveOffer_behindAnEnvelopeStillInTheStore_waitsForIt() {
    caughtUpAndSole();
    long first = order.admit("bob"); // on its way through the store
    pump.offerLive(live(2, order.admit("bob")));
    assertThat(pushed()).isEmpty();
    pump.offer(envs(1, 1));
    order.settle("bob", first);
    pump.orderAdvanced();
    assertThat(pushed()).containsExactly(1L, 2L);
  }

  @Test
  void heldEnvelopeTheStoreClaimedFirst_comesBackAsTheStoresCopy_once() {
    caughtUpAndSole();
    long first = order.admit("bob");
    long second = order.admit("bob");
    LiveEnvelope e = live(2, second);
    pump.offerLive(e);
    assertThat(e.claimForStore()).as("the store stopped waiting").isTrue();
    pump.offer(envs(1, 2));
    order.settle("bob", first);
    order.settle("bob", second);
    pump.orderAdvanced();
    assertThat(pushed()).containsExactly(1L, 2L);
  }

  @Test
  void liveOffer_whileTheBacklogIsStillBeingRead_isDeclined_andTheStoreNeedNotWait() {
    pump.allowLive(); // the first page has not come back
    LiveEnvelope e = live(1, order.admit("bob"));
    pump.offerLive(e);
    assertThat(pushed()).isEmpty();
    assertThat(e.storeNotBefore(1_000)).isZero();
    assertThat(e.claimForStore()).isTrue();
  }

  @Test
  void liveOffer_toAConnectionThatIsNotTheOnlyOne_isDeclined() {
    pump.onPage(List.of(), DeliveryPump.PAGE);
    pump.forbidLive();
    LiveEnvelope e = live(1, order.admit("bob"));
    pump.offerLive(e);
    assertThat(pushed()).isEmpty();
    assertThat(e.storeNotBefore(1_000)).isZero();
  }
}
