package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.store.OfflineQueue;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery of queues longer than the window and than a page read from the store: the window slot of
 * an envelope is freed when its ack arrives, the backlog is read in pages and envelopes accepted
 * meanwhile are handed over from memory, and through all of it the order, the exactly-once push per
 * connection and the redelivery of what was not acknowledged hold (docs/PROTOCOL.md section 9).
 */
class DeliveryWindowIntegrationTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig config;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    config =
        relayConfig(pki, dir)
            .withRateLimit(ProtocolLimits.MAX_FRAMES_PER_SECOND, ProtocolLimits.MAX_FRAME_BURST);
    server = RelayServer.start(config);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  /**
   * Stores {@code count} envelopes alice -> bob while the relay is down (one commit); returns their
   * ids.
   */
  List<String> backlog(int count) throws Exception {
    server.close();
    List<String> ids = new ArrayList<>();
    try (OfflineQueue q = OfflineQueue.open(config.queue(), Clock.systemUTC())) {
      q.transaction(
          () -> {
            for (int i = 0; i < count; i++) {
              byte[] env = envelope("alice", "bob");
              String id = idOf(env);
              q.enqueue(List.of("bob"), "alice", id, env);
              ids.add(id);
            }
          });
    }
    server = RelayServer.start(config);
    return ids;
  }

  /**
   * Reads until {@code deliveries} envelopes arrived, acknowledging the first {@code acks} of them
   * as they come (without waiting for any {@code ok}), then until {@code acks} oks arrived.
   */
  static List<String> receive(RawFrameClient c, int deliveries, int acks) throws Exception {
    List<String> got = new ArrayList<>();
    int oks = 0;
    while (got.size() < deliveries || oks < acks) {
      Frame f = c.read(PATIENCE);
      if (f instanceof Frame.Deliver d) {
        EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
        got.add(h.messageIdHex());
        if (got.size() <= acks) {
          c.send(new Frame.Ack("a" + got.size(), h.sender(), h.messageIdHex()));
        }
      } else if (f instanceof Frame.Ok) {
        oks++;
      }
    }
    return got;
  }

  /** True when nothing more is delivered within a second. */
  static boolean quiet(RawFrameClient c) throws Exception {
    return RelayTestSupport.nothingDelivered(c, Duration.ofSeconds(1));
  }

  @Test
  void backlogOfSeveralPages_isPushedInOrderExactlyOnce_acknowledgingAsItArrives()
      throws Exception {
    int n = DeliveryPump.PAGE * 2 + DeliveryPump.WINDOW + 7;
    List<String> sent = backlog(n);
    try (RawFrameClient bob = connect("bob")) {
      assertThat(receive(bob, n, n)).containsExactlyElementsOf(sent);
      assertThat(quiet(bob)).as("nothing pushed twice").isTrue();
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(quiet(bob)).as("every confirmed ack deleted its envelope").isTrue();
    }
  }

  @Test
  void envelopesAcceptedDuringADrain_followTheBacklogInOrder() throws Exception {
    List<String> expected = new ArrayList<>(backlog(DeliveryPump.PAGE + DeliveryPump.WINDOW));
    int live = 40;
    try (RawFrameClient bob = connect("bob");
        RawFrameClient alice = connect("alice")) {
      CompletableFuture<List<String>> sending =
          CompletableFuture.supplyAsync(
              () -> {
                List<String> ids = new ArrayList<>();
                try {
                  for (int i = 0; i < live; i++) {
                    byte[] env = envelope("alice", "bob");
                    alice.send(new Frame.Send("s" + i, env));
                    assertThat(
                            alice.expect(Frame.Sent.class).results().getFirst().status().accepted())
                        .isTrue();
                    ids.add(idOf(env));
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                return ids;
              });
      List<String> got = receive(bob, expected.size() + live, expected.size() + live);
      expected.addAll(sending.join());
      assertThat(got).containsExactlyElementsOf(expected);
      assertThat(quiet(bob)).isTrue();
    }
  }

  @Test
  void confirmedAcks_areNotRedelivered_theRestIsInOrderOnTheNextConnection() throws Exception {
    int n = 300;
    int acked = 100;
    List<String> sent = backlog(n);
    try (RawFrameClient bob = connect("bob")) {
      List<String> got = receive(bob, acked + 50, acked); // and some more may come while the oks do
      assertThat(got)
          .hasSizeGreaterThanOrEqualTo(acked + 50)
          .containsExactlyElementsOf(sent.subList(0, got.size()));
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(receive(bob, n - acked, n - acked))
          .containsExactlyElementsOf(sent.subList(acked, n));
      assertThat(quiet(bob)).isTrue();
    }
  }

  @Test
  void unacknowledgedEnvelopes_stopAtTheWindow() throws Exception {
    List<String> sent = backlog(DeliveryPump.WINDOW * 3);
    try (RawFrameClient bob = connect("bob")) {
      assertThat(receive(bob, DeliveryPump.WINDOW, 0))
          .containsExactlyElementsOf(sent.subList(0, DeliveryPump.WINDOW));
      assertThat(quiet(bob)).as("no more than the window without acks").isTrue();
      // one ack frees one slot: the next envelope in order follows
      bob.send(new Frame.Ack("one", "alice", sent.getFirst()));
      Frame next;
      do {
        next = bob.read(PATIENCE);
      } while (!(next instanceof Frame.Deliver));
      assertThat(idOf(((Frame.Deliver) next).envelope())).isEqualTo(sent.get(DeliveryPump.WINDOW));
    }
  }
}
