package dev.ztchat.server;

import static dev.ztchat.core.testkit.Polling.eventually;
import static dev.ztchat.server.RelayTestSupport.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.core.transport.TlsSettings;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay over real TLS on loopback: identity binding, routing, directory, spoofing. */
class RelayServerIntegrationTest {
  @TempDir static Path dir;
  static TestPki pki;
  static RelayServer server;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "erin");
    // dave exists in the CA's records but not in the server's certs folder
    server = RelayServer.start(RelayServerConfig.defaults(pki.writeTo(dir)).withPort(0));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    RawFrameClient c = RelayTestSupport.connectWelcomed(server, pki, user);
    assertThat(c.welcome().identity()).isEqualTo(user);
    return c;
  }

  @Test
  void validClient_isWelcomedWithTheIdentityOfItsCertificate() throws Exception {
    try (RawFrameClient c =
        RawFrameClient.connect(
            server.port(), pki.user("alice").signing(), pki.ca().certificate())) {
      Frame f = c.read();
      assertThat(f).isInstanceOf(Frame.Welcome.class);
      Frame.Welcome w = (Frame.Welcome) f;
      assertThat(w.identity()).isEqualTo("alice");
      assertThat(w.maxFrame()).isEqualTo(16384); // the default: a v2 message with PQ fields fits
      assertThat(w.protocol()).isEqualTo(1);
    }
  }

  /**
   * bob sends online alice a message, which she acknowledges (so later tests find her queue empty):
   * bob is now her contact, whose presence she may learn (docs/SECURITY.md, presence).
   */
  static void bobWritesTo(RawFrameClient alice, RawFrameClient bob) throws Exception {
    byte[] intro = envelope("bob", "alice");
    bob.send(new Frame.Send("intro", intro));
    bob.expect(Frame.Sent.class);
    Frame.Deliver d;
    do {
      d = alice.expect(Frame.Deliver.class);
    } while (!Arrays.equals(d.envelope(), intro));
    alice.send(new Frame.Ack("intro", "bob", RelayTestSupport.idOf(intro)));
    alice.expect(Frame.Ok.class);
  }

  @Test
  void envelope_isRelayedToTheLiveRecipient_andSenderToldDelivered() throws Exception {
    try (RawFrameClient alice = connect("alice");
        RawFrameClient bob = connect("bob")) {
      bobWritesTo(alice, bob); // bob lets alice see him online
      byte[] env = envelope("alice", "bob");
      alice.send(new Frame.Send("r1", env));
      Frame.Sent sent = alice.expect(Frame.Sent.class);
      assertThat(sent.ref()).isEqualTo("r1");
      assertThat(sent.results())
          .containsExactly(new Frame.Delivery("bob", DeliveryStatus.DELIVERED));
      // (bob may first get envelopes other tests left unacknowledged in his queue)
      boolean arrived = false;
      for (int i = 0; i < 10 && !arrived; i++) {
        arrived = Arrays.equals(bob.expect(Frame.Deliver.class).envelope(), env);
      }
      assertThat(arrived).as("the envelope reaches bob byte for byte").isTrue();
    }
  }

  @Test
  void envelope_toOfflineUser_isQueued_andToUnknownUser_isRefused() throws Exception {
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Send("r2", envelope("alice", "carol", "nobody")));
      Frame.Sent sent = alice.expect(Frame.Sent.class);
      assertThat(sent.results())
          .containsExactly(
              new Frame.Delivery("carol", DeliveryStatus.QUEUED),
              new Frame.Delivery("nobody", DeliveryStatus.UNKNOWN));
    }
  }

  @Test
  void spoofedSender_isDroppedSilentlyAndLogged_recipientReceivesNothing() throws Exception {
    long before = server.securityLog().count(SecurityEvent.SPOOFING);
    // erin is used by this test only, so her queue holds nothing from other tests
    try (RawFrameClient alice = connect("alice");
        RawFrameClient erin = connect("erin")) {
      alice.send(new Frame.Send("spoof", envelope("bob", "erin")));
      assertThat(alice.silentFor(Duration.ofMillis(700))).as("attacker gets no answer").isTrue();
      assertThat(erin.silentFor(Duration.ofMillis(300)))
          .as("claimed recipient gets nothing")
          .isTrue();
      assertThat(server.securityLog().count(SecurityEvent.SPOOFING)).isEqualTo(before + 1);
      // the connection stays open and usable
      alice.send(new Frame.Ping("still-here"));
      assertThat(alice.expect(Frame.Pong.class).ref()).isEqualTo("still-here");
    }
  }

  @Test
  void directory_servesCertificatesAsTheCaIssuedThem() throws Exception {
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.DirectoryRequest("d1", "bob"));
      Frame.Certificates c = alice.expect(Frame.Certificates.class);
      assertThat(PemFiles.parseCertificate(c.signing()))
          .isEqualTo(pki.user("bob").signing().certificate());
      assertThat(PemFiles.parseCertificate(c.encryption()))
          .isEqualTo(pki.user("bob").encryption().certificate());
      alice.send(new Frame.DirectoryRequest("d2", "nobody"));
      Frame.Error e = alice.expect(Frame.Error.class);
      assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_USER);
      assertThat(e.ref()).isEqualTo("d2");
    }
  }

  @Test
  void who_listsOnlineUsersWhoWroteToTheRequester() throws Exception {
    try (RawFrameClient alice = connect("alice");
        RawFrameClient bob = connect("bob")) {
      bobWritesTo(alice, bob);
      alice.send(new Frame.Who("w"));
      assertThat(alice.expect(Frame.Online.class).users()).contains("alice", "bob");
    }
  }

  @Test
  void publish_ofAnotherUsersEncryptionCertificate_isRefused() throws Exception {
    try (RawFrameClient alice = connect("alice")) {
      alice.send(
          new Frame.Publish("p1", PemFiles.toPem(pki.user("bob").encryption().certificate())));
      Frame.Error e = alice.expect(Frame.Error.class);
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_CERTIFICATE);
      alice.send(
          new Frame.Publish("p2", PemFiles.toPem(pki.user("alice").encryption().certificate())));
      assertThat(alice.expect(Frame.Ok.class).ref()).isEqualTo("p2");
    }
  }

  @Test
  void handshake_withoutClientCertificate_isRefusedAndLogged() throws Exception {
    assertRefused(null, "no client certificate");
  }

  @Test
  void handshake_withCertificateFromRogueCa_isRefused() throws Exception {
    TestPki rogue = TestPki.rogue("alice");
    assertRefused(rogue.user("alice").signing(), "rogue CA");
  }

  @Test
  void handshake_withExpiredCertificate_isRefused() throws Exception {
    Instant longAgo = Instant.now().minus(Duration.ofDays(400));
    Credential expired =
        CertificateIssuer.issueLeaf(
            pki.ca(),
            "alice",
            CertificateRole.USER_SIGNING,
            TestPki.TEST_KEY_BITS,
            longAgo,
            Duration.ofDays(30));
    assertRefused(expired, "expired");
  }

  @Test
  void handshake_withEncryptionCertificate_wrongUsage_isRefused() throws Exception {
    assertRefused(pki.user("alice").encryption(), "encryption cert as client cert");
  }

  @Test
  void handshake_withServerAuthOnlyCertificate_wrongEku_isRefused() throws Exception {
    Credential serverAuthOnly =
        CertificateIssuer.issueLeaf(
            pki.ca(),
            "alice",
            CertificateRole.SERVER,
            TestPki.TEST_KEY_BITS,
            Instant.now().minusSeconds(60),
            Duration.ofDays(1));
    assertRefused(serverAuthOnly, "serverAuth EKU");
  }

  @Test
  void handshake_selfSignedCertificate_isRefused() throws Exception {
    KeyPair keys = CertificateIssuer.generateRsaKeyPair(2048);
    var cert =
        CertificateIssuer.build(
            new CertificateIssuer.Spec(
                "alice",
                keys.getPublic(),
                null,
                keys,
                Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600),
                CertificateRole.USER_SIGNING,
                List.of()));
    assertRefused(new Credential(cert, keys.getPrivate()), "self-signed");
  }

  @Test
  void tlsProvider_isReported() {
    assertThat(server.tlsDescription()).isNotBlank();
    assertThat(TlsSettings.PROTOCOLS).containsExactly("TLSv1.3", "TLSv1.2");
  }

  private void assertRefused(Credential credential, String what) throws Exception {
    long before = server.securityLog().count(SecurityEvent.HANDSHAKE_FAILED);
    Throwable t =
        catchThrowable(
            () -> {
              try (RawFrameClient c =
                  RawFrameClient.connect(server.port(), credential, pki.ca().certificate())) {
                // With TLS 1.3 the client learns of the refusal on its first read.
                c.read(Duration.ofSeconds(5));
              }
            });
    assertThat(t).as(what + " must not get a welcome").isNotNull();
    assertThat(
            eventually(
                Duration.ofSeconds(5),
                () -> server.securityLog().count(SecurityEvent.HANDSHAKE_FAILED) > before))
        .as(what + " is logged as a security event")
        .isTrue();
  }
}
