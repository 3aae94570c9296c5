package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.store.QueueLimits;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store-and-forward through a real relay: offline delivery, order, acknowledgements, restarts. */
class StoreAndForwardIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig config;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    config = relayConfig(pki, dir);
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
   * Sends envelopes alice -> bob and returns their ids, checking each was accepted as {@code
   * expected}.
   */
  List<String> sendFromAlice(int count, DeliveryStatus expected) throws Exception {
    List<String> ids = new ArrayList<>();
    try (RawFrameClient alice = connect("alice")) {
      for (int i = 0; i < count; i++) {
        byte[] env = envelope("alice", "bob");
        alice.send(new Frame.Send("s" + i, env));
        Frame.Sent sent = alice.expect(Frame.Sent.class);
        assertThat(sent.results()).containsExactly(new Frame.Delivery("bob", expected));
        ids.add(idOf(env));
      }
    }
    return ids;
  }

  /** Reads deliveries until none arrives for a moment; acknowledges them if {@code ack}. */
  static List<String> drain(RawFrameClient c, boolean ack) throws Exception {
    List<String> got = new ArrayList<>();
    while (true) {
      Frame f;
      try {
        f = c.read(Duration.ofMillis(800));
      } catch (SocketTimeoutException e) {
        return got;
      }
      if (f instanceof Frame.Deliver d) {
        EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
        got.add(h.messageIdHex());
        if (ack) {
          c.send(new Frame.Ack("a" + got.size(), h.sender(), h.messageIdHex()));
        }
      }
    }
  }

  @Test
  void messagesForAnOfflineUser_areDeliveredInOrder_whenTheyConnect() throws Exception {
    List<String> sent = sendFromAlice(20, DeliveryStatus.QUEUED);
    try (RawFrameClient bob = connect("bob")) {
      assertThat(drain(bob, true)).containsExactlyElementsOf(sent);
    }
  }

  @Test
  void unacknowledgedMessages_areDeliveredAgain_acknowledgedOnesAreNot() throws Exception {
    List<String> sent = sendFromAlice(3, DeliveryStatus.QUEUED);
    try (RawFrameClient bob = connect("bob")) {
      assertThat(drain(bob, false)).containsExactlyElementsOf(sent); // bob "dies" before acking
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(drain(bob, true)).containsExactlyElementsOf(sent); // redelivered, now acked
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(drain(bob, true)).isEmpty();
    }
  }

  @Test
  void storedMessages_surviveARelayRestart() throws Exception {
    List<String> sent = sendFromAlice(5, DeliveryStatus.QUEUED);
    server.close();
    server = RelayServer.start(config);
    try (RawFrameClient bob = connect("bob")) {
      assertThat(drain(bob, true)).containsExactlyElementsOf(sent);
    }
  }

  @Test
  void liveRecipient_getsTheMessageAtOnce_andItStaysStoredUntilAcknowledged() throws Exception {
    try (RawFrameClient bob = connect("bob")) {
      bob.send(new Frame.Send("intro", envelope("bob", "alice"))); // bob lets alice see him online
      bob.expect(Frame.Sent.class);
      List<String> sent = sendFromAlice(1, DeliveryStatus.DELIVERED);
      assertThat(drain(bob, false)).containsExactlyElementsOf(sent);
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(drain(bob, true)).hasSize(1);
    }
  }

  @Test
  void anotherUsersAck_cannotDeleteMessagesNotAddressedToThem() throws Exception {
    List<String> sent = sendFromAlice(1, DeliveryStatus.QUEUED);
    try (RawFrameClient carol = connect("carol")) {
      carol.send(new Frame.Ack("x", "alice", sent.getFirst()));
      assertThat(carol.expect(Frame.Ok.class).ref())
          .isEqualTo("x"); // idempotent, but touches only carol's queue
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(drain(bob, true)).containsExactlyElementsOf(sent);
    }
  }

  @Test
  void fullQueue_isReportedToTheSender() throws Exception {
    server.close();
    // alice may fill a quarter of bob's 8: her third is "full" (the recipient's own quota:
    // OfflineQueueTest)
    server =
        RelayServer.start(
            config.withQueue(QueueLimits.defaults(dir.resolve("data2")).withQuota(8, 1 << 20)));
    sendFromAlice(2, DeliveryStatus.QUEUED);
    sendFromAlice(1, DeliveryStatus.FULL);
  }
}
