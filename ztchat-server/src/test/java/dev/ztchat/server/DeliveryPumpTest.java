package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.server.store.QueuedEnvelope;
import io.netty.channel.embedded.EmbeddedChannel;
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
  DeliveryPump pump;

  @BeforeEach
  void setUp() {
    channel = new EmbeddedChannel();
    pump = new DeliveryPump(channel, "bob", (p, after, limit) -> reads.add(new long[] {after, limit}));
  }

  static QueuedEnvelope env(long seq) {
    return new QueuedEnvelope(seq, "bob", "alice", id(seq), ("m" + seq).getBytes(StandardCharsets.UTF_8));
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
      out.add(Long.parseLong(new String(((Frame.Deliver) m).envelope(), StandardCharsets.UTF_8).substring(1)));
    }
    return out;
  }

  void ack(long seq) {
    pump.acked(DeliveryPump.key("alice", id(seq)));
  }

  @Test
  void firstPage_isPushedUpToTheWindow_andEachAckFreesOneSlot() {
    pump.onPage(envs(1, 100), DeliveryPump.PAGE);
    assertThat(pushed()).containsExactlyElementsOf(LongStream.rangeClosed(1, DeliveryPump.WINDOW).boxed().toList());
    ack(1);
    ack(2);
    assertThat(pushed()).containsExactly(DeliveryPump.WINDOW + 1L, DeliveryPump.WINDOW + 2L);
    ack(1);
    assertThat(pushed()).as("a repeated ack frees nothing").isEmpty();
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
    pump.offer(envs(DeliveryPump.PAGE + 1L, DeliveryPump.PAGE + 1L)); // the store may hold more before it
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
}
