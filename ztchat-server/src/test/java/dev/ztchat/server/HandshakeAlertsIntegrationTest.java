package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import io.netty.handler.ssl.OpenSsl;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS alerts a client really gets from the relay when its certificate is refused
 * (docs/PROTOCOL.md section 2), observed with the JDK's TLS client, as a second implementation
 * would see them. The relay runs on BoringSSL, as it does wherever that is available.
 */
class HandshakeAlertsIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(
        OpenSsl.isAvailable(), "BoringSSL not available: the relay would use the JDK's TLS");
    pki = TestPki.create("alice", "carol");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    CrlFiles.write(
        certs.crl(),
        pki.revoke(pki.user("carol").signing().certificate(), RevocationReason.KEY_COMPROMISE));
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("data")).withPort(0));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** What the client sees: "handshake: ..." or "first read: ...", with the alert's name. */
  private String outcome(Credential credential, String protocol) {
    RawFrameClient c;
    try {
      c = RawFrameClient.connect(server.port(), credential, pki.ca().certificate(), protocol);
    } catch (Exception e) {
      return "handshake: " + e.getMessage();
    }
    try (c) {
      return "first read: " + c.read(Duration.ofSeconds(5)).type();
    } catch (Exception e) {
      return "first read: " + e.getMessage();
    }
  }

  // On TLS 1.3 the client's handshake ends before the relay has judged its certificate: the alert
  // arrives on the first read, where welcome is expected. On TLS 1.2 it ends the handshake; the
  // JDK's client, still writing, sometimes sees only the closed connection instead of the alert.

  @Test
  void encryptionCertificateAsClientCertificate_getsIllegalParameterOnTls13() {
    Credential wrongRole = pki.user("alice").encryption();

    assertRefusedWhereWelcomeIsExpected(outcome(wrongRole, "TLSv1.3"), "illegal_parameter");
    assertRefusedInTheHandshake(outcome(wrongRole, "TLSv1.2"), "bad_certificate");
  }

  @Test
  void noClientCertificate_getsCertificateRequiredOnTls13_handshakeFailureOnTls12() {
    assertRefusedWhereWelcomeIsExpected(outcome(null, "TLSv1.3"), "certificate_required");
    assertRefusedInTheHandshake(outcome(null, "TLSv1.2"), "handshake_failure");
  }

  @Test
  void revokedCertificate_getsCertificateRevoked_onTls13WhereWelcomeIsExpected() {
    Credential revoked = pki.user("carol").signing();

    assertRefusedWhereWelcomeIsExpected(outcome(revoked, "TLSv1.3"), "certificate_revoked");
    assertRefusedInTheHandshake(outcome(revoked, "TLSv1.2"), "certificate_revoked");
  }

  @Test
  void certificateOfAnotherCa_getsBadCertificate() {
    Credential stranger = TestPki.create("alice").user("alice").signing();

    assertRefusedWhereWelcomeIsExpected(outcome(stranger, "TLSv1.3"), "bad_certificate");
    assertRefusedInTheHandshake(outcome(stranger, "TLSv1.2"), "bad_certificate");
  }

  /**
   * TLS 1.3: the alert normally arrives on the first read. A relay that judges the certificate as
   * soon as it arrives may close while a slow client still writes the rest of its flight; that
   * client then fails in the handshake with a reset or broken pipe (never with another alert).
   */
  private static void assertRefusedWhereWelcomeIsExpected(String outcome, String alert) {
    if (outcome.startsWith("first read: ")) {
      assertThat(outcome).contains(alert);
    } else {
      assertThat(outcome).startsWith("handshake: ");
      if (outcome.contains("alert")) {
        assertThat(outcome).contains(alert);
      } else {
        assertThat(outcome).containsAnyOf("Broken pipe", "Connection reset", "closed");
      }
    }
  }

  /** On TLS 1.2: the handshake fails, and an alert, when the client read it, is {@code alert}. */
  private static void assertRefusedInTheHandshake(String outcome, String alert) {
    assertThat(outcome).startsWith("handshake: ");
    if (outcome.contains("alert")) {
      assertThat(outcome).contains(alert);
    }
  }

  @Test
  void validCertificate_getsWelcome() {
    assertThat(outcome(pki.user("alice").signing(), "TLSv1.3")).isEqualTo("first read: welcome");
  }
}
