package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's acknowledgements in batches ({@code acks}, docs/PROTOCOL.md section 9), end to end
 * through a real relay: what was acknowledged in a batch is gone from the relay; a batch the relay
 * never confirmed brings the messages again, and they are shown once, without a warning.
 */
class BatchedAcknowledgementIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig serverConfig;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    serverConfig =
        RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
            .withPort(0)
            .withRateLimit(ProtocolLimits.MAX_FRAMES_PER_SECOND, ProtocolLimits.MAX_FRAME_BURST);
    server = RelayServer.start(serverConfig);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig config(String user) {
    return ChatClientConfig.of(
        "localhost", server.port(), pki.user(user), pki.ca().certificate(), dir.resolve(user));
  }

  List<String> sendWhileBobIsAway(int n) throws Exception {
    List<String> texts = new ArrayList<>();
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      for (int i = 0; i < n; i++) {
        texts.add("message " + i);
        assertThat(alice.send("bob", "message " + i).statusOf("bob"))
            .isEqualTo(DeliveryStatus.QUEUED);
      }
    }
    return texts;
  }

  long queued() throws Exception {
    return server.queueTotals().get(10, TimeUnit.SECONDS).messages();
  }

  @Test
  void aBacklog_isShownOnceInOrder_andAcknowledgedAway_nothingComesBack() throws Exception {
    List<String> texts = sendWhileBobIsAway(70);
    Inbox first = new Inbox();
    try (ChatClient bob = ChatClient.connect(config("bob"), first)) {
      for (String text : texts) {
        assertThat(first.next().text()).isEqualTo(text);
      }
      assertThat(Polling.eventually(Duration.ofSeconds(10), () -> unconfirmedOrMinusOne(bob) == 0))
          .as("the relay confirmed every acknowledgement")
          .isTrue();
    }
    Inbox second = new Inbox();
    try (ChatClient bob = ChatClient.connect(config("bob"), second)) {
      assertThat(second.messages.poll(1, TimeUnit.SECONDS)).isNull();
      assertThat(second.warnings).isEmpty();
    }
  }

  static int unconfirmedOrMinusOne(ChatClient bob) {
    try {
      return unconfirmed(bob);
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void aBatchTheRelayNeverConfirmed_isDeliveredAgain_andShownOnce_withoutAWarning()
      throws Exception {
    List<String> texts = sendWhileBobIsAway(3);
    Inbox first = new Inbox();
    try (AutoCloseable lock = lockStore()) {
      try (ChatClient bob = ChatClient.connect(config("bob"), first)) {
        for (String text : texts) {
          assertThat(first.next().text()).isEqualTo(text);
        }
        // shown, so processed: its batch went out and now waits for the locked store
        assertThat(unconfirmed(bob)).isEqualTo(3);
      }
      server.close(); // the relay goes down before it could delete: no ok ever came
    }
    server = RelayServer.start(serverConfig);
    Inbox second = new Inbox();
    try (ChatClient bob = ChatClient.connect(config("bob"), second)) {
      assertThat(Polling.eventually(Duration.ofSeconds(10), () -> unconfirmedOrMinusOne(bob) == 0))
          .as("the redelivered copies were acknowledged again, and confirmed")
          .isTrue();
      assertThat(second.messages).as("not shown twice").isEmpty();
      assertThat(second.warnings).as("a redelivery is not a replay").isEmpty();
      assertThat(bob.history("alice", 10))
          .extracting(HistoryEntry::text)
          .containsExactlyElementsOf(texts);
    }
  }

  /** How many envelopes {@code bob} processed whose acknowledgement the relay never confirmed. */
  static int unconfirmed(ChatClient bob) throws Exception {
    ClientStore store = bob.localStore();
    synchronized (store) {
      try (var s = store.db().createStatement();
          var rs = s.executeQuery("SELECT COUNT(*) FROM ack_ledger WHERE confirmed = 0")) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Holds the relay store's write lock until closed, as a stuck disk would. */
  AutoCloseable lockStore() throws Exception {
    Connection c =
        DriverManager.getConnection(
            "jdbc:sqlite:" + serverConfig.queue().dataDir().resolve("relay.db"));
    c.createStatement().execute("BEGIN IMMEDIATE");
    return () -> {
      c.createStatement().execute("ROLLBACK");
      c.close();
    };
  }

  @Test
  void severalEnvelopesFlushedTogether_goAsOneFrame_andAreAllConfirmed() throws Exception {
    sendWhileBobIsAway(5);
    try (ClientStore store = ClientStore.open(dir.resolve("raw-bob"));
        RelayConnection conn =
            RelayConnection.connect(
                "localhost", server.port(), pki.user("bob").signing(), pki.ca().certificate())) {
      LinkedBlockingQueue<byte[]> pushed = new LinkedBlockingQueue<>();
      conn.onDelivery(pushed::add);
      AckLedger ledger = new AckLedger(store, Clock.systemUTC());
      List<CompletableFuture<?>> answers = new ArrayList<>();
      AckSender sender = new AckSender(ledger, () -> Optional.of(conn), answers::add);
      List<EnvelopeHeader> headers = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        EnvelopeHeader h = EnvelopeCodec.decodeHeader(pushed.poll(10, TimeUnit.SECONDS));
        headers.add(h);
        ledger.processed(h.sender(), h.messageIdHex());
        sender.add(h.sender(), h.messageIdHex());
      }
      assertThat(answers).as("held until the flush").isEmpty();
      double framesBefore = framesReceived();
      sender.flush();
      assertThat(answers).hasSize(1);
      answers.getFirst().get(10, TimeUnit.SECONDS);
      assertThat(framesReceived() - framesBefore).as("one acks for five envelopes").isEqualTo(1);
      for (EnvelopeHeader h : headers) {
        assertThat(ledger.awaitingConfirmation(h.sender(), h.messageIdHex())).isFalse();
      }
      assertThat(queued()).isZero();
    }
  }

  double framesReceived() {
    return server.meters().counter("ztchat.frames.received").count();
  }
}
