package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Offline delivery, acknowledgements, receipts and the outbox, end to end through a real relay. */
class OfflineDeliveryIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServerConfig serverConfig;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    certs = pki.writeTo(dir.resolve("certs"));
    serverConfig = RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(freePort());
    server = RelayServer.start(serverConfig);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  ChatClientConfig config(String user) {
    return ChatClientConfig.of(
        "localhost",
        serverConfig.port(),
        pki.user(user),
        pki.ca().certificate(),
        dir.resolve("data-" + user));
  }

  /** Inbox that also records receipts. */
  static final class ReceiptInbox extends Inbox {
    final BlockingQueue<String> delivered = new LinkedBlockingQueue<>();

    @Override
    public void onDelivered(String peer, String messageIdHex) {
      delivered.add(peer + ":" + messageIdHex);
    }
  }

  @Test
  void messagesForAnOfflineUser_arriveInOrder_whenTheyConnect() throws Exception {
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      for (int i = 1; i <= 5; i++) {
        assertThat(alice.send("bob", "message " + i).statusOf("bob"))
            .isEqualTo(DeliveryStatus.QUEUED);
      }
    }
    Inbox bobInbox = new Inbox();
    try (ChatClient bob = ChatClient.connect(config("bob"), bobInbox)) {
      for (int i = 1; i <= 5; i++) {
        assertThat(bobInbox.next().text()).isEqualTo("message " + i);
      }
      assertThat(bob.history("alice", 10))
          .extracting(HistoryEntry::text)
          .containsExactly("message 1", "message 2", "message 3", "message 4", "message 5");
    }
  }

  @Test
  void messagesQueuedBeforeTheRecipientRenewed_openWithTheKeptPreviousKey() throws Exception {
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      assertThat(alice.send("bob", "sent before bob renewed").statusOf("bob"))
          .isEqualTo(DeliveryStatus.QUEUED);
    }
    UserIdentity oldBob = pki.user("bob");
    UserIdentity renewedBob =
        CertificateIssuer.issueUser(
            pki.ca(),
            "bob",
            TestPki.TEST_KEY_BITS,
            Instant.now().minus(Duration.ofMinutes(1)),
            Duration.ofDays(30));
    ChatClientConfig renewed =
        new ChatClientConfig(
            "localhost",
            serverConfig.port(),
            renewedBob,
            pki.ca().certificate(),
            dir.resolve("data-bob"),
            AcceptancePolicy.DEFAULT,
            Clock.systemUTC(),
            List.of(oldBob.encryption()));

    Inbox bobInbox = new Inbox();
    try (ChatClient bob = ChatClient.connect(renewed, bobInbox)) {
      assertThat(bobInbox.next().text()).isEqualTo("sent before bob renewed");
      assertThat(bobInbox.reasons).as("not refused as NOT_FOR_ME").isEmpty();
    }
  }

  @ParameterizedTest(name = "the relay got the message: {0}")
  @ValueSource(booleans = {true, false})
  void aSendWhoseAnswerIsLost_isKeptAndResentAsTheSameBytes_andDeliveredOnce(boolean relayGotIt)
      throws Exception {
    String lostId;
    try (CuttableProxy proxy = new CuttableProxy(serverConfig.port())) {
      ChatClientConfig viaProxy =
          new ChatClientConfig(
              "localhost",
              proxy.port(),
              pki.user("alice"),
              pki.ca().certificate(),
              dir.resolve("data-alice"),
              AcceptancePolicy.DEFAULT,
              Clock.systemUTC(),
              List.of());
      try (ChatClient alice = ChatClient.connect(viaProxy, new Inbox())) {
        alice.send("bob", "warm-up"); // bob's keys verified and pinned: the next send is one frame
        proxy.loseAnswersAndCut(relayGotIt);
        UnconfirmedSendException lost =
            Assertions.catchThrowableOfType(
                UnconfirmedSendException.class, () -> alice.send("bob", "answer lost"));
        assertThat(lost).as("the send is reported unconfirmed").isNotNull();
        assertThat(lost.getMessage()).contains("re-sent the next time alice connects");
        lostId = lost.messageIdHex();
      }
    }
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      alice.send("bob", "after"); // re-sends the kept bytes first; the relay already had them
    }

    Inbox bobInbox = new Inbox();
    try (ChatClient bob = ChatClient.connect(config("bob"), bobInbox)) {
      assertThat(bobInbox.next().text()).isEqualTo("warm-up");
      var second = bobInbox.next();
      assertThat(second.text()).isEqualTo("answer lost");
      assertThat(second.messageIdHex()).isEqualTo(lostId);
      assertThat(bobInbox.next().text()).isEqualTo("after");
      assertThat(bobInbox.messages.poll(2, TimeUnit.SECONDS)).as("nothing twice").isNull();
      assertThat(bobInbox.warnings).as("no replay reported").isEmpty();
    }
  }

  @Test
  void receiverThatDiesBeforeAcknowledging_getsTheMessageAgain_andShowsItOnce() throws Exception {
    Inbox first = new Inbox();
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      alice.send("bob", "only once please");
    }
    try (ChatClient bob = ChatClient.connect(config("bob"), first)) {
      bob.disableAcknowledgements(); // as if killed after storing, before the acknowledgement left
      assertThat(first.next().text()).isEqualTo("only once please");
    }
    Inbox second = new Inbox();
    try (ChatClient bob = ChatClient.connect(config("bob"), second)) {
      assertThat(second.messages.poll(2, TimeUnit.SECONDS)).as("not shown twice").isNull();
      assertThat(second.warnings).as("a redelivery is not an attack").isEmpty();
    }
    Inbox third = new Inbox();
    try (ChatClient bob = ChatClient.connect(config("bob"), third)) {
      assertThat(third.messages.poll(1, TimeUnit.SECONDS))
          .as("acknowledged now: gone from the relay")
          .isNull();
      assertThat(third.warnings).isEmpty();
    }
  }

  @Test
  void replayOfAnAcknowledgedMessage_isDroppedAndReported() throws Exception {
    Inbox bobInbox = new Inbox();
    Map<String, byte[]> wire = new ConcurrentHashMap<>();
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox());
        ChatClient bob = ChatClient.connect(config("bob"), bobInbox)) {
      bob.onRawEnvelope(b -> wire.put("last", b));
      alice.send("bob", "original");
      assertThat(bobInbox.next().text()).isEqualTo("original");
      // bob's ledger shows the relay confirmed his acknowledgement: a copy now is a replay
      String id = EnvelopeCodec.decodeHeader(wire.get("last")).messageIdHex();
      AckLedger ledger = new AckLedger(bob.localStore(), Clock.systemUTC());
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(10),
                  () -> {
                    try {
                      return !ledger.awaitingConfirmation("alice", id);
                    } catch (IOException e) {
                      return false;
                    }
                  }))
          .as("the relay confirmed bob's acknowledgement")
          .isTrue();
      try (RelayConnection attacker =
          RelayConnection.connect(
              "localhost",
              serverConfig.port(),
              pki.user("alice").signing(),
              pki.ca().certificate())) {
        attacker.sendOneWay(new Frame.Send(null, wire.get("last")));
        assertThat(bobInbox.reasons.poll(10, TimeUnit.SECONDS)).isEqualTo(RejectionReason.REPLAY);
        assertThat(bobInbox.messages).isEmpty();
      }
    }
  }

  @Test
  void senderSeesDelivered_onlyFromTheRecipientsSignedReceipt() throws Exception {
    ReceiptInbox aliceInbox = new ReceiptInbox();
    Inbox bobInbox = new Inbox();
    try (ChatClient alice = ChatClient.connect(config("alice"), aliceInbox);
        ChatClient bob = ChatClient.connect(config("bob"), bobInbox)) {
      SendResult r = alice.send("bob", "did you get this?");
      bobInbox.next();
      assertThat(aliceInbox.delivered.poll(10, TimeUnit.SECONDS)).isEqualTo("bob:" + r.messageId());
      assertThat(alice.history("bob", 1).getFirst().state())
          .isEqualTo(HistoryEntry.State.DELIVERED);

      // carol, a valid user, forges a receipt for a message alice sent to bob: it is not bob's
      SendResult r2 = alice.send("bob", "second");
      bobInbox.next();
      aliceInbox.delivered.poll(10, TimeUnit.SECONDS); // bob's genuine receipt
      UserIdentity carolId = pki.user("carol");
      var forged =
          new RsaOaepAesGcmSealer(carolId, Clock.systemUTC())
              .seal(
                  MessageContent.receipt(HexFormat.of().parseHex(r2.messageId())),
                  List.of(new RecipientKey("alice", pki.user("alice").encryption().certificate())));
      try (RelayConnection carolRaw =
          RelayConnection.connect(
              "localhost", serverConfig.port(), carolId.signing(), pki.ca().certificate())) {
        carolRaw.sendOneWay(new Frame.Send(null, EnvelopeCodec.encode(forged)));
        assertThat(aliceInbox.delivered.poll(2, TimeUnit.SECONDS))
            .as("a receipt not signed by bob counts for nothing")
            .isNull();
      }
    }
  }

  @Test
  void messagesTypedWhileTheRelayIsDown_areKept_andSentWhenItIsBack() throws Exception {
    Inbox bobInbox = new Inbox();
    try (ChatClient bob = ChatClient.connect(config("bob"), bobInbox)) {
      server.close(); // the relay goes down
      server = null;
      BlockingQueue<ConnectionState> states = new LinkedBlockingQueue<>();
      Inbox aliceInbox =
          new Inbox() {
            @Override
            public void onConnectionState(ConnectionStatus status) {
              states.add(status.state());
            }
          };
      try (ChatClient alice = ChatClient.start(config("alice"), aliceInbox)) {
        assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.CONNECTING);
        assertThat(states.poll(5, TimeUnit.SECONDS)).isEqualTo(ConnectionState.DISCONNECTED);
        alice.sendOrKeep("bob", "typed while offline 1");
        alice.sendOrKeep("bob", "typed while offline 2");
        server = RelayServer.start(serverConfig); // back, same port and store
        assertThat(bobInbox.next().text()).isEqualTo("typed while offline 1");
        assertThat(bobInbox.next().text()).isEqualTo("typed while offline 2");
        assertThat(alice.isConnected()).isTrue();
      }
    }
  }

  @Test
  void messageDelayedForDays_isAccepted_butOneOlderThanTheWindowIsRefusedByTheRelay()
      throws Exception {
    Inbox bobInbox = new Inbox();
    UserIdentity alice = pki.user("alice");
    RecipientKey toBob = new RecipientKey("bob", pki.user("bob").encryption().certificate());
    var threeDaysOld =
        new RsaOaepAesGcmSealer(alice, Clock.offset(Clock.systemUTC(), Duration.ofDays(-3)))
            .seal(MessageContent.text("sent three days ago"), List.of(toBob));
    var eightDaysOld =
        new RsaOaepAesGcmSealer(alice, Clock.offset(Clock.systemUTC(), Duration.ofDays(-8)))
            .seal(MessageContent.text("too old"), List.of(toBob));
    try (RelayConnection raw =
        RelayConnection.connect(
            "localhost", serverConfig.port(), alice.signing(), pki.ca().certificate())) {
      raw.request(
          new Frame.Send("a", EnvelopeCodec.encode(threeDaysOld)), "a", Duration.ofSeconds(10));
      // receivers would drop it as stale, so the relay does not store it (PROTOCOL.md section 9)
      assertThatThrownBy(
              () ->
                  raw.request(
                      new Frame.Send("b", EnvelopeCodec.encode(eightDaysOld)),
                      "b",
                      Duration.ofSeconds(10)))
          .isInstanceOf(RelayConnection.RelayException.class)
          .hasMessageStartingWith("envelope expired");
    }
    try (ChatClient bob = ChatClient.connect(config("bob"), bobInbox)) {
      assertThat(bobInbox.next().text()).isEqualTo("sent three days ago");
      assertThat(bobInbox.messages.poll(1, TimeUnit.SECONDS)).isNull();
      assertThat(bobInbox.reasons.poll(1, TimeUnit.SECONDS))
          .as("nothing reaches bob to be dropped")
          .isNull();
    }
  }
}
