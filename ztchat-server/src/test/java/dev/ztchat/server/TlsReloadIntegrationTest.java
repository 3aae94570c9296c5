package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.core.transport.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading the relay's TLS material in place: a new server certificate reaches new connections
 * while open ones stay; a bad new file is refused and the old material kept; a stale revocation
 * list closes the relay to new connections by default, or only warns when configured so.
 */
class TlsReloadIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  MutableClock clock;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    clock = MutableClock.atRealNow();
    RelayServerConfig config = relayConfig(pki, dir);
    certs = config.certs();
    server = RelayServer.start(config, TlsSettings.provider(), clock);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  Credential newServerCredential() {
    return CertificateIssuer.issueServer(
        pki.ca(),
        "ztchat-server",
        List.of("localhost", "127.0.0.1"),
        TestPki.TEST_KEY_BITS,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(60));
  }

  void install(Credential c) throws Exception {
    PemFiles.writeCertificate(certs.serverCertificate(), c.certificate(), true);
    PemFiles.writePrivateKey(certs.serverKey(), c.privateKey(), true);
  }

  @Test
  void reload_newConnectionsSeeTheNewCertificate_openOnesStayConnected() throws Exception {
    try (RawFrameClient alice = connect("alice")) {
      assertThat(alice.serverCertificate()).isEqualTo(pki.server().certificate());
      Credential renewed = newServerCredential();
      install(renewed);

      assertThat(server.reload()).isTrue();

      try (RawFrameClient bob = connect("bob")) {
        assertThat(bob.serverCertificate()).isEqualTo(renewed.certificate());
      }
      assertThat(alice.pingRoundTrip("still-here")).isPositive();
      assertThat(server.serverCertificate()).isEqualTo(renewed.certificate());
    }
  }

  @Test
  void changedCertificateFiles_areReloadedWithoutASignal() throws Exception {
    Credential renewed = newServerCredential();
    install(renewed);

    assertThat(
            Polling.eventually(
                Duration.ofSeconds(20),
                () -> server.serverCertificate().equals(renewed.certificate())))
        .isTrue();
    try (RawFrameClient bob = connect("bob")) {
      assertThat(bob.serverCertificate()).isEqualTo(renewed.certificate());
    }
  }

  @Test
  void unreadableNewCertificate_isRefused_andTheOldOneStays() throws Exception {
    Files.writeString(certs.serverCertificate(), "-----BEGIN CERTIFICATE-----\ngarbage\n");

    assertThat(server.reload()).isFalse();

    try (RawFrameClient bob = connect("bob")) {
      assertThat(bob.serverCertificate()).isEqualTo(pki.server().certificate());
    }
  }

  @Test
  void keyOfAnotherCertificate_isRefused_andTheOldPairStays() throws Exception {
    Credential one = newServerCredential();
    Credential other = newServerCredential();
    PemFiles.writeCertificate(certs.serverCertificate(), one.certificate(), true);
    PemFiles.writePrivateKey(certs.serverKey(), other.privateKey(), true);

    assertThat(server.reload()).isFalse();

    assertThat(server.serverCertificate()).isEqualTo(pki.server().certificate());
    try (RawFrameClient bob = connect("bob")) {
      assertThat(bob.serverCertificate()).isEqualTo(pki.server().certificate());
    }
  }

  @Test
  void serverCertificateFromAnotherCa_isRefused() throws Exception {
    install(TestPki.rogue().server());

    assertThat(server.reload()).isFalse();
    assertThat(server.serverCertificate()).isEqualTo(pki.server().certificate());
  }

  @Test
  void renewedCaCertificate_withTheSameKey_isReloaded_andUsersItIssuedStillConnect()
      throws Exception {
    X509Certificate old = pki.ca().certificate();
    Instant now = Instant.now();
    X509Certificate renewed =
        CertificateIssuer.build(
            new CertificateIssuer.Spec(
                "ztchat test root CA", // the subject users' certificates name as issuer
                old.getPublicKey(),
                null,
                new KeyPair(old.getPublicKey(), pki.ca().privateKey()),
                now.minus(Duration.ofMinutes(5)),
                now.plus(Duration.ofDays(7300)),
                CertificateRole.ROOT_CA,
                List.of()));
    PemFiles.writeCertificate(certs.caCertificate(), renewed, true);

    assertThat(server.reload()).isTrue();

    assertThat(server.caCertificate()).isEqualTo(renewed);
    assertThat(server.caCertificate().getNotAfter()).isAfter(old.getNotAfter());
    try (RawFrameClient bob = connect("bob")) {
      assertThat(bob.welcome()).isNotNull();
    }
  }

  @Test
  void staleRevocationList_failsClosedByDefault_refusingNewConnectionsOnly() throws Exception {
    try (RawFrameClient alice = connect("alice")) {
      clock.advance(Duration.ofDays(8)); // the test list is fresh for 7 days

      assertThatThrownBy(() -> connect("bob")).isInstanceOf(Exception.class);
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(10),
                  () -> server.securityLog().count(SecurityEvent.HANDSHAKE_FAILED) >= 1))
          .isTrue();
      assertThat(alice.pingRoundTrip("open-connections-stay")).isPositive();

      server.crlFreshness().set(CrlFreshnessPolicy.WhenStale.WARN, Duration.ofDays(3));
      try (RawFrameClient bob = connect("bob")) {
        assertThat(bob.welcome()).isNotNull();
      }
    }
  }

  @Test
  void revocationListAboutToGoStale_isWarnedAbout_daysBefore() {
    CrlFreshnessPolicy policy = new CrlFreshnessPolicy();
    var crl = pki.crl();
    Instant next = crl.getNextUpdate().toInstant();

    assertThat(policy.check(crl, next.minus(Duration.ofDays(4)))).isNull();
    assertThat(policy.check(crl, next.minus(Duration.ofDays(2))))
        .contains("goes stale on " + next)
        .contains("publish a new list");
    assertThat(policy.check(crl, next.minus(Duration.ofDays(2)).plusSeconds(60)))
        .as("not again within the hour")
        .isNull();
    assertThat(policy.check(crl, next.plusSeconds(1)))
        .contains("STALE")
        .contains("new connections are refused");
  }
}
