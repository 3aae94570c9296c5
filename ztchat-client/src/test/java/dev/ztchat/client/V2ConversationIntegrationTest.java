package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.conversation.StoredSession;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clients with version-2 devices talk in version 2 over a real relay, offline and online, both
 * ways, across restarts; a version-1-only client still talks version 1; the downgrade rule holds in
 * both directions; the state on disk holds no private key or ratchet state in the clear.
 */
class V2ConversationIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServerConfig serverConfig;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    certs = pki.writeTo(dir.resolve("certs"));
    serverConfig = RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0);
    server = RelayServer.start(serverConfig);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig config(String user, boolean withDevice) {
    return ChatClientConfig.of(
            "localhost",
            server.port(),
            pki.user(user),
            pki.ca().certificate(),
            dir.resolve("data-" + user))
        .withDevice(withDevice ? pki.device(user) : null);
  }

  ChatClient connect(String user, Inbox inbox) throws Exception {
    return ChatClient.connect(config(user, true), inbox);
  }

  /** An inbox that also keeps notices. */
  static class NoticeInbox extends Inbox {
    final BlockingQueue<String> notices = new LinkedBlockingQueue<>();

    @Override
    public void onNotice(String notice) {
      notices.add(notice);
    }

    String noticeContaining(String part) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        String n = notices.poll(1, TimeUnit.SECONDS);
        if (n != null && n.contains(part)) {
          return n;
        }
      }
      return null;
    }
  }

  /** Waits until {@code user}'s device has published its prekeys (the first bundle is taken). */
  static void awaitPrekeys(ChatClient asker, String user) throws Exception {
    assertThat(
            Polling.eventually(
                WAIT,
                () -> {
                  try {
                    asker.connection().fetchBundle(user);
                    return true;
                  } catch (IOException e) {
                    return false;
                  }
                }))
        .as(user + "'s prekeys are on the relay")
        .isTrue();
  }

  /** The envelopes the relay stores for {@code recipient}, read from its database. */
  List<byte[]> storedAtRelay(String recipient) throws Exception {
    List<byte[]> out = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("relay").resolve("relay.db"));
        var q =
            c.prepareStatement(
                "SELECT COALESCE(q.envelope, b.envelope) FROM queue q LEFT JOIN bodies b ON b.id"
                    + " = q.body WHERE q.recipient = ? ORDER BY q.seq")) {
      q.setString(1, recipient);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getBytes(1));
        }
      }
    }
    return out;
  }

  @Test
  void twoV2Clients_exchangeVersion2Messages_offlineAndOnline_bothWays_andAcrossRestarts()
      throws Exception {
    NoticeInbox aliceInbox = new NoticeInbox();
    NoticeInbox bobInbox = new NoticeInbox();
    try (ChatClient bob = connect("bob", bobInbox)) {
      assertThat(bob.isConnected()).isTrue(); // publishes bob's prekeys, then goes offline
      try (ChatClient alice = connect("alice", aliceInbox)) {
        awaitPrekeys(alice, "bob");
      }
    }
    try (ChatClient alice = connect("alice", aliceInbox)) {
      assertThat(alice.send("bob", "offline hello").statusOf("bob"))
          .isEqualTo(DeliveryStatus.QUEUED);
      assertThat(alice.send("bob", "offline second").statusOf("bob"))
          .isEqualTo(DeliveryStatus.QUEUED);
    }
    List<byte[]> stored = storedAtRelay("bob");
    assertThat(stored)
        .hasSize(2)
        .allSatisfy(e -> assertThat(e[0]).as("version").isEqualTo((byte) 2));

    BlockingQueue<byte[]> bobWire = new LinkedBlockingQueue<>();
    try (ChatClient bob = connect("bob", bobInbox);
        ChatClient alice = connect("alice", aliceInbox)) {
      bob.onRawEnvelope(bobWire::add);
      OpenedMessage first = bobInbox.next();
      assertThat(first.text()).isEqualTo("offline hello");
      assertThat(first.version()).isEqualTo(2);
      assertThat(bobInbox.next().text()).isEqualTo("offline second");

      assertThat(bob.send("alice", "online reply").statusOf("alice"))
          .isEqualTo(DeliveryStatus.DELIVERED);
      OpenedMessage reply = aliceInbox.next();
      assertThat(reply.text()).isEqualTo("online reply");
      assertThat(reply.version()).isEqualTo(2);

      alice.send("bob", "online again");
      OpenedMessage again = bobInbox.next();
      assertThat(again.text()).isEqualTo("online again");
      assertThat(again.version()).isEqualTo(2);
      byte[] wire = bobWire.poll(10, TimeUnit.SECONDS);
      assertThat(wire).isNotNull();
      assertThat(wire[0]).as("what the relay delivered is version 2").isEqualTo((byte) 2);
    }

    // Both restart: sessions, ledgers and prekeys come back from disk and the conversation goes on.
    try (ChatClient bob = connect("bob", bobInbox);
        ChatClient alice = connect("alice", aliceInbox)) {
      alice.send("bob", "after the restart");
      OpenedMessage m = bobInbox.next();
      assertThat(m.text()).isEqualTo("after the restart");
      assertThat(m.version()).isEqualTo(2);
      bob.send("alice", "still here");
      assertThat(aliceInbox.next().text()).isEqualTo("still here");
      assertThat(aliceInbox.warnings).isEmpty();
      assertThat(bobInbox.warnings).isEmpty();
    }
  }

  @Test
  void aMessageTheRelayDropped_isReportedMissing_whenALaterOneArrives() throws Exception {
    NoticeInbox bobInbox = new NoticeInbox();
    try (ChatClient bob = connect("bob", bobInbox);
        ChatClient alice = connect("alice", new Inbox())) {
      awaitPrekeys(alice, "bob");
    }
    String dropped;
    try (ChatClient alice = connect("alice", new Inbox())) {
      alice.send("bob", "one");
      dropped = alice.send("bob", "two").messageId();
      alice.send("bob", "three");
    }
    // The relay drops the second message: gone from its store before bob comes online.
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("relay").resolve("relay.db"));
        var d = c.prepareStatement("DELETE FROM queue WHERE message_id = ?")) {
      d.setString(1, dropped);
      assertThat(d.executeUpdate()).isEqualTo(1);
    }
    try (ChatClient bob = connect("bob", bobInbox)) {
      assertThat(bobInbox.next().text()).isEqualTo("one");
      assertThat(bobInbox.next().text()).isEqualTo("three");
      assertThat(bobInbox.noticeContaining("from alice has not arrived yet"))
          .as("the gap is told to bob")
          .startsWith("[!] Message ");
    }
  }

  @Test
  void aV2ClientAndAV1OnlyClient_stillTalkInVersion1() throws Exception {
    Inbox aliceInbox = new Inbox();
    Inbox carolInbox = new Inbox();
    BlockingQueue<byte[]> carolWire = new LinkedBlockingQueue<>();
    BlockingQueue<byte[]> aliceWire = new LinkedBlockingQueue<>();
    try (ChatClient alice = connect("alice", aliceInbox);
        ChatClient carol = ChatClient.connect(config("carol", false), carolInbox)) {
      carol.onRawEnvelope(carolWire::add);
      alice.onRawEnvelope(aliceWire::add);
      awaitPrekeys(carol, "alice");
      alice.send("carol", "to a v1 client");
      OpenedMessage m = carolInbox.next();
      assertThat(m.text()).isEqualTo("to a v1 client");
      assertThat(m.version()).isEqualTo(1);
      assertThat(carolWire.poll(10, TimeUnit.SECONDS)[0]).isEqualTo((byte) 1);

      carol.send("alice", "from a v1 client");
      OpenedMessage back = aliceInbox.next();
      assertThat(back.text()).isEqualTo("from a v1 client");
      assertThat(back.version()).isEqualTo(1);
    }
  }

  @Test
  void afterAVersion2Message_aVersion1EnvelopeFromThatPeer_isRefusedAsADowngrade()
      throws Exception {
    Inbox bobInbox = new Inbox();
    try (ChatClient bob = connect("bob", bobInbox);
        ChatClient alice = connect("alice", new Inbox())) {
      awaitPrekeys(alice, "bob");
      alice.send("bob", "in version 2");
      assertThat(bobInbox.next().version()).isEqualTo(2);

      // What a relay rewriting alice's messages to version 1 would deliver: a genuine v1 envelope.
      byte[] v1 =
          EnvelopeCodec.encode(
              new RsaOaepAesGcmSealer(pki.user("alice"), Clock.systemUTC())
                  .seal(
                      MessageContent.text("in version 1"),
                      List.of(
                          new RecipientKey("bob", pki.user("bob").encryption().certificate()))));
      try (RawFrameClient raw =
          RawFrameClient.connectWelcomed(
              "127.0.0.1", server.port(), pki.user("alice").signing(), pki.ca().certificate())) {
        raw.send(new Frame.Send("s1", v1));
        raw.expect(Frame.Sent.class);
      }
      assertThat(bobInbox.reasons.poll(10, TimeUnit.SECONDS)).isEqualTo(RejectionReason.DOWNGRADE);
      assertThat(bobInbox.messages.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void toAPeerWhoProvedVersion2_nothingGoesInVersion1_evenWhenTheRelayHasNoPrekeys()
      throws Exception {
    NoticeInbox bobInbox = new NoticeInbox();
    try (ChatClient bob = connect("bob", bobInbox)) {
      try (ChatClient alice = connect("alice", new Inbox())) {
        awaitPrekeys(alice, "bob");
        alice.send("bob", "in version 2");
        assertThat(bobInbox.next().version()).isEqualTo(2);
      }
    }
    // Bob forgets his session (as after dropping old ones), and the relay hides alice's keys: it
    // now answers no_prekeys for her.
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:sqlite:" + dir.resolve("data-bob").resolve("client.db"));
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM v2_sessions");
    }
    // What waits at the relay for alice so far (bob's receipt, in version 2).
    List<byte[]> before = storedAtRelay("alice");
    assertThat(before).allSatisfy(e -> assertThat(e[0]).isEqualTo((byte) 2));
    Credential aliceDevice = pki.device("alice");
    CrlFiles.write(
        certs.crl(), pki.revoke(aliceDevice.certificate(), RevocationReason.KEY_COMPROMISE));
    server.reloadRevocations();

    try (ChatClient bob = connect("bob", bobInbox)) {
      assertThatThrownBy(() -> bob.connection().fetchBundle("alice"))
          .isInstanceOfSatisfying(
              RelayConnection.RelayException.class,
              e -> assertThat(e.code().wire()).isEqualTo("no_prekeys"));
      assertThatThrownBy(() -> bob.send("alice", "must not go in version 1"))
          .isInstanceOf(PeerKeysWithheldException.class)
          .hasMessageContaining("has used encryption version 2");
      bob.sendOrKeep("alice", "typed while her keys are hidden");
      assertThat(bobInbox.noticeContaining("the server now gives no version-2 keys for alice"))
          .isNotNull();
    }
    // Nothing more reached the relay for alice: both messages wait in bob's outbox.
    assertThat(storedAtRelay("alice")).hasSameSizeAs(before);
  }

  @Test
  void afterThePeersDeviceCertificateIsRevoked_nothingMoreIsSealedOnTheSession() throws Exception {
    Inbox aliceInbox = new Inbox();
    Inbox bobInbox = new Inbox();
    try (ChatClient alice = connect("alice", aliceInbox)) {
      try (ChatClient bob = connect("bob", bobInbox)) {
        V2ConversationIntegrationTest.awaitPrekeys(alice, "bob");
        alice.send("bob", "before");
        assertThat(bobInbox.next().version()).isEqualTo(2);
        bob.send("alice", "reply");
        assertThat(aliceInbox.next().version()).isEqualTo(2);
      }
      CrlFiles.write(
          certs.crl(),
          pki.revoke(pki.device("bob").certificate(), RevocationReason.KEY_COMPROMISE));
      server.reloadRevocations(); // asynchronous: the relay serves the new list shortly
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(30),
                  () -> {
                    try {
                      return alice.refreshRevocations() > 0;
                    } catch (IOException e) {
                      return false;
                    }
                  }))
          .as("alice's client has the list that revokes bob's device")
          .isTrue();
      long revocationKnownAt = System.currentTimeMillis();

      assertThatThrownBy(() -> alice.send("bob", "after the revocation"))
          .isInstanceOf(UntrustedContactException.class)
          .hasMessageContaining("revoked");
      // alice's paced receipt for the reply may still reach the relay, sealed before she knew.
      assertThat(storedAtRelay("bob"))
          .as("nothing sealed for bob after alice's client knew of the revocation")
          .allSatisfy(
              e ->
                  assertThat(V2Envelope.decode(e).prefix().timestampMillis())
                      .isLessThan(revocationKnownAt));
    }
  }

  @Test
  void theDataFolder_holdsNoPrivateKeyOrRatchetStateInTheClear_andStaysOwnerOnly()
      throws Exception {
    Inbox bobInbox = new Inbox();
    Inbox aliceInbox = new Inbox();
    byte[] signedPrekeyPrivate;
    List<StoredSession> sessions;
    try (ChatClient bob = connect("bob", bobInbox);
        ChatClient alice = connect("alice", aliceInbox)) {
      awaitPrekeys(alice, "bob");
      alice.send("bob", "secret one");
      bobInbox.next();
      bob.send("alice", "secret two");
      aliceInbox.next();
      signedPrekeyPrivate = signedPrekeyPrivateKey(bob.prekeyPublisher().prekeys().toBytes());
      sessions = bob.sessionStore().sessions("alice");
      assertThat(sessions).isNotEmpty();
    }
    Path data = dir.resolve("data-bob");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
        .isEqualTo("rwx------");
    try (var files = Files.list(data)) {
      for (Path f : files.toList()) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
            .as(f.getFileName().toString())
            .isEqualTo("rw-------");
        byte[] content = Files.readAllBytes(f);
        assertThat(SqliteSessionStoreTest.indexOf(content, signedPrekeyPrivate))
            .as("signed prekey private key in " + f.getFileName())
            .isEqualTo(-1);
        for (StoredSession s : sessions) {
          assertThat(SqliteSessionStoreTest.indexOf(content, s.ratchetState()))
              .as("ratchet state in " + f.getFileName())
              .isEqualTo(-1);
        }
      }
    }
  }

  /**
   * The signed prekey's raw X25519 private key out of {@code PrekeyStore.toBytes()}: version (1),
   * certificate hash (32), next id (4), then the signed prekey (u16 length + encoding) and its 32
   * private bytes.
   */
  static byte[] signedPrekeyPrivateKey(byte[] prekeyStore) {
    ByteBuffer b = ByteBuffer.wrap(prekeyStore);
    b.position(1 + 32 + 4);
    int length = b.getShort() & 0xffff;
    b.position(b.position() + length);
    byte[] raw = new byte[32];
    b.get(raw);
    assertThat(raw).isNotEqualTo(new byte[32]);
    return Arrays.copyOf(raw, raw.length);
  }
}
