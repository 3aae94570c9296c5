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
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.CrlIssuer;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.PkiRevocation;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.CrlFreshnessPolicy;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.SecurityEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revocation against a real relay: cut off live, refused at handshake, refused as a contact. */
class RevocationIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig config(UserIdentity id, String dataName) {
    return ChatClientConfig.of(
        "localhost", server.port(), id, pki.ca().certificate(), dir.resolve(dataName));
  }

  void publishRevocation(UserIdentity who, RevocationReason reason) throws IOException {
    pki.revoke(who.signing().certificate(), reason);
    CrlFiles.write(certs.crl(), pki.revoke(who.encryption().certificate(), reason));
  }

  /**
   * Has {@code server} re-read its certs folder's CRL now (what its watcher does on a change) and
   * waits, bounded, until it holds that list: the reload runs on the watcher's thread.
   */
  static void reloadRevocations(RelayServer server, CertsLayout certs) throws Exception {
    X509CRL written = CrlFiles.read(certs.crl());
    server.reloadRevocations();
    assertThat(
            Polling.eventually(
                Duration.ofSeconds(10), () -> written.equals(server.currentRevocationList())))
        .as("the relay holds the CRL just written")
        .isTrue();
  }

  /** As {@link #config(UserIdentity, String)}, with time from {@code clock}. */
  ChatClientConfig config(UserIdentity id, String dataName, Clock clock) {
    return new ChatClientConfig(
        "localhost",
        server.port(),
        id,
        pki.ca().certificate(),
        dir.resolve(dataName),
        AcceptancePolicy.DEFAULT,
        clock,
        List.of());
  }

  @Test
  void revokedWhileConnected_isDisconnectedWithinSeconds_andCannotReconnect() throws Exception {
    Credential alice = pki.user("alice").signing();
    try (RelayConnection conn =
        RelayConnection.connect("localhost", server.port(), alice, pki.ca().certificate())) {
      assertThat(conn.isOpen()).isTrue();
      publishRevocation(pki.user("alice"), RevocationReason.KEY_COMPROMISE);
      assertThat(Polling.eventually(Duration.ofSeconds(5), () -> !conn.isOpen()))
          .as("cut off without a restart")
          .isTrue();
      assertThat(server.securityLog().count(SecurityEvent.REVOKED)).isEqualTo(1);
    }
    assertThatThrownBy(
            () ->
                RelayConnection.connect("localhost", server.port(), alice, pki.ca().certificate()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void clientRefusesToEncryptToARevokedRecipient() throws Exception {
    MutableClock aliceClock = MutableClock.followingSystem();
    try (ChatClient alice =
            ChatClient.connect(config(pki.user("alice"), "a", aliceClock), new Inbox());
        ChatClient bob = ChatClient.connect(config(pki.user("bob"), "b"), new Inbox())) {
      alice.send("bob", "before");
      publishRevocation(pki.user("bob"), RevocationReason.KEY_COMPROMISE);
      reloadRevocations(server, certs);
      aliceClock.advance(ContactDirectory.CRL_REFRESH); // alice's cached list is due for a refresh

      assertThatThrownBy(() -> alice.send("bob", "after"))
          .as("nothing sealed for a revoked certificate")
          .isInstanceOf(UntrustedContactException.class)
          .hasMessageContaining("revoked");
    }
  }

  @Test
  void messageFromARevokedSender_datedAfterTheRevocation_isDropped() throws Exception {
    UserIdentity alice = pki.user("alice");
    // alice's envelope is dated 3 s ahead (within the allowed skew), so it postdates the revocation
    var sealed =
        new RsaOaepAesGcmSealer(alice, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(3)))
            .seal(
                MessageContent.text("from a stolen laptop"),
                List.of(new RecipientKey("bob", pki.user("bob").encryption().certificate())));
    try (RelayConnection conn =
        RelayConnection.connect(
            "localhost", server.port(), alice.signing(), pki.ca().certificate())) {
      conn.request(new Frame.Send("s", EnvelopeCodec.encode(sealed)), "s", Duration.ofSeconds(10));
    }
    publishRevocation(alice, RevocationReason.SUPERSEDED);
    reloadRevocations(server, certs);
    Inbox bobInbox = new Inbox();
    try (ChatClient bob = ChatClient.connect(config(pki.user("bob"), "b"), bobInbox)) {
      assertThat(bobInbox.reasons.poll(10, TimeUnit.SECONDS))
          .isEqualTo(RejectionReason.SENDER_REVOKED);
      assertThat(bobInbox.messages).isEmpty();
    }
  }

  @Test
  void staleCrl_failsClosedForNewContacts_butKnownContactsStillWork() throws Exception {
    MutableClock aliceClock = MutableClock.followingSystem();
    try (ChatClient alice =
            ChatClient.connect(config(pki.user("alice"), "a", aliceClock), new Inbox());
        ChatClient bob = ChatClient.connect(config(pki.user("bob"), "b"), new Inbox())) {
      alice.send("bob", "pinned now");
      var stale =
          CrlIssuer.issue(
              pki.ca(),
              pki.crl(),
              List.of(),
              Instant.now().minus(Duration.ofDays(9)),
              Duration.ofDays(7));
      CrlFiles.write(certs.crl(), stale);
      reloadRevocations(server, certs);
      aliceClock.advance(ContactDirectory.CRL_REFRESH); // alice's cached list runs out
      assertThatThrownBy(() -> alice.send("carol", "hello stranger"))
          .isInstanceOf(UntrustedContactException.class)
          .hasMessageContaining("cannot check whether the certificate of 'carol' was revoked")
          .hasMessageContaining("new contact");
      assertThat(alice.send("bob", "still fine").statusOf("bob").accepted()).isTrue();
    }
  }

  @Test
  void staleCrl_messageFromASenderNeverTalkedTo_isRefused_andNotPinnedOnTheWay() throws Exception {
    // carol's envelope reaches the relay while the CRL is still fresh
    UserIdentity carol = pki.user("carol");
    var sealed =
        new RsaOaepAesGcmSealer(carol, Clock.systemUTC())
            .seal(
                MessageContent.text("hello stranger"),
                List.of(new RecipientKey("bob", pki.user("bob").encryption().certificate())));
    try (RelayConnection conn =
        RelayConnection.connect(
            "localhost", server.port(), carol.signing(), pki.ca().certificate())) {
      conn.request(new Frame.Send("s", EnvelopeCodec.encode(sealed)), "s", Duration.ofSeconds(10));
    }
    var stale =
        CrlIssuer.issue(
            pki.ca(),
            pki.crl(),
            List.of(),
            Instant.now().minus(Duration.ofDays(9)),
            Duration.ofDays(7));
    // A relay set to keep accepting on a stale list (--crl-when-stale warn): its fail-closed
    // default would refuse bob's connection, and this test is about bob's client refusing it.
    server
        .crlFreshness()
        .set(CrlFreshnessPolicy.WhenStale.WARN, CrlFreshnessPolicy.DEFAULT_WARN_BEFORE);
    CrlFiles.write(certs.crl(), stale);
    reloadRevocations(server, certs);
    Inbox bobInbox = new Inbox();
    try (ChatClient bob = ChatClient.connect(config(pki.user("bob"), "b"), bobInbox)) {
      // section 7, check 3b: without a fresh CRL only senders already talked to are accepted
      assertThat(bobInbox.reasons.poll(10, TimeUnit.SECONDS))
          .isEqualTo(RejectionReason.SENDER_REVOKED);
      assertThat(bobInbox.messages).isEmpty();
      assertThat(new ContactPins(bob.localStore(), Clock.systemUTC()).isPinned("carol"))
          .as("looking carol up to check her message does not make her a known contact")
          .isFalse();
    }
  }

  @Test
  void renewedContact_triggersAKeyChangeWarning_newKeysWork_andOldHistoryStaysReadable()
      throws Exception {
    Inbox aliceInbox = new Inbox();
    try (ChatClient alice = ChatClient.connect(config(pki.user("alice"), "a"), aliceInbox);
        ChatClient bob = ChatClient.connect(config(pki.user("bob"), "b"), new Inbox())) {
      bob.send("alice", "old times");
      aliceInbox.next();
    }
    new PkiRevocation(certs, Clock.systemUTC(), line -> {})
        .renew("alice", 2048, 30, Duration.ofDays(7));
    reloadRevocations(server, certs);
    server.reloadCertificates();
    UserIdentity renewed = certs.readUser("alice");
    Path old = certs.previousIdentityDirs("alice").getFirst();
    Credential oldEncryption =
        new Credential(
            PemFiles.readCertificate(old.resolve("encryption.crt")),
            PemFiles.readPrivateKey(old.resolve("encryption.key")));
    ChatClientConfig renewedConfig =
        new ChatClientConfig(
            "localhost",
            server.port(),
            renewed,
            pki.ca().certificate(),
            dir.resolve("a"),
            AcceptancePolicy.DEFAULT,
            Clock.systemUTC(),
            List.of(oldEncryption));
    Inbox renewedInbox = new Inbox();
    try (ChatClient alice = ChatClient.connect(renewedConfig, renewedInbox);
        ChatClient bob = ChatClient.connect(config(pki.user("bob"), "b"), new Inbox())) {
      assertThat(alice.history("bob", 10))
          .extracting(HistoryEntry::text)
          .containsExactly("old times");
      KeyChangedException change =
          Assertions.assertThrows(KeyChangedException.class, () -> bob.send("alice", "new key?"));
      bob.acceptKeyChange(change.newKeys());
      bob.send("alice", "new key works");
      assertThat(renewedInbox.next().text()).isEqualTo("new key works");
    }
  }
}
