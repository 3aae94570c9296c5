package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.testing.TestPki;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The v2 device certificate (docs/v2/device-certificates.md) and its role: what the issuer writes,
 * and that a device certificate and a v1 signing or encryption certificate are never accepted one
 * for the other.
 */
class DeviceCertificateTest {
  final Instant now = Instant.now();
  static final TestPki PKI = TestPki.create("alice");
  static final CertificateVerifier VERIFIER = new CertificateVerifier(PKI.ca().certificate());

  Credential device(String name) {
    return CertificateIssuer.issueDevice(
        PKI.ca(), name, now.minus(Duration.ofMinutes(5)), Duration.ofDays(30), null);
  }

  @Test
  void issuedDevice_isP256_digitalSignatureCritical_clientAuth_notCa_andVerifiesAsDevice()
      throws Exception {
    X509Certificate cert = device("alice").certificate();

    VERIFIER.verify(cert, "alice", CertificateRole.DEVICE, now);
    assertThat(KeyType.of(cert.getPublicKey())).isEqualTo(KeyType.EC);
    assertThat(cert.getPublicKey()).isInstanceOf(ECPublicKey.class);
    assertThat(cert.getKeyUsage()[0]).isTrue(); // digitalSignature
    assertThat(cert.getKeyUsage()[2]).isFalse(); // keyEncipherment
    assertThat(cert.getCriticalExtensionOIDs()).contains("2.5.29.15");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=alice,O=ztchat");
    assertThat(cert.getSigAlgName()).isEqualTo("SHA256withRSA"); // the test CA's key is RSA
  }

  @Test
  void deviceCertificate_isRefusedAsV1SigningCertificate() {
    assertThatThrownBy(
            () ->
                VERIFIER.verify(
                    device("alice").certificate(), "alice", CertificateRole.USER_SIGNING, now))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("does not hold an RSA key");
  }

  @Test
  void deviceCertificate_isRefusedAsV1EncryptionCertificate() {
    assertThatThrownBy(
            () ->
                VERIFIER.verify(
                    device("alice").certificate(), "alice", CertificateRole.USER_ENCRYPTION, now))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("is not allowed for encryption");
  }

  @Test
  void v1SigningCertificate_isRefusedAsDevice() {
    assertThatThrownBy(
            () ->
                VERIFIER.verify(
                    PKI.user("alice").signing().certificate(),
                    "alice",
                    CertificateRole.DEVICE,
                    now))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("does not hold an ECDSA P-256 key");
  }

  @Test
  void v1EncryptionCertificate_isRefusedAsDevice() {
    assertThatThrownBy(
            () ->
                VERIFIER.verify(
                    PKI.user("alice").encryption().certificate(),
                    "alice",
                    CertificateRole.DEVICE,
                    now))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("is not allowed for a v2 device");
  }

  @Test
  void ecServerCertificate_isRefusedAsDevice() {
    Credential server =
        CertificateIssuer.issueServer(
            PKI.ca(),
            "alice",
            List.of("localhost"),
            KeyType.EC,
            0,
            now.minus(Duration.ofMinutes(5)),
            Duration.ofDays(30),
            null);

    assertThatThrownBy(
            () -> VERIFIER.verify(server.certificate(), "alice", CertificateRole.DEVICE, now))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("lacks the extended key usage");
  }

  @Test
  void ecCertificateWithKeyEnciphermentOnly_isRefusedAsDevice() {
    var keys = KeyType.EC.generate(0);
    X509Certificate cert =
        CertificateIssuer.build(
            new CertificateIssuer.Spec(
                "alice",
                keys.getPublic(),
                PKI.ca(),
                null,
                now.minus(Duration.ofMinutes(5)),
                now.plus(Duration.ofDays(1)),
                CertificateRole.USER_ENCRYPTION,
                List.of()));

    assertThatThrownBy(() -> VERIFIER.verify(cert, "alice", CertificateRole.DEVICE, now))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("is not allowed for a v2 device");
  }

  @Test
  void deviceCertificate_forAnotherName_isRefused() {
    assertThatThrownBy(
            () ->
                VERIFIER.verify(
                    device("mallory").certificate(), "alice", CertificateRole.DEVICE, now))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("names 'mallory', not 'alice'");
  }

  @Test
  void deviceCertificate_outsideItsValidity_isRefused() {
    X509Certificate cert = device("alice").certificate();

    assertThatThrownBy(
            () ->
                VERIFIER.verify(
                    cert, "alice", CertificateRole.DEVICE, now.plus(Duration.ofDays(31))))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("expired");
    assertThatThrownBy(
            () ->
                VERIFIER.verify(
                    cert, "alice", CertificateRole.DEVICE, now.minus(Duration.ofDays(1))))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("is not valid before");
  }

  @Test
  void deviceCertificate_ofAnotherCa_isRefused() {
    TestPki rogue = TestPki.rogue();
    X509Certificate cert =
        CertificateIssuer.issueDevice(
                rogue.ca(), "alice", now.minus(Duration.ofMinutes(5)), Duration.ofDays(1), null)
            .certificate();

    assertThatThrownBy(() -> VERIFIER.verify(cert, "alice", CertificateRole.DEVICE, now))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("signature that our root CA did not make");
  }

  @Test
  void caCertificate_isRefusedAsDevice() {
    Credential ecCa =
        CertificateIssuer.createRootCa(
            "alice", KeyType.EC, 0, now.minus(Duration.ofMinutes(5)), Duration.ofDays(1));
    CertificateVerifier self = new CertificateVerifier(ecCa.certificate());

    assertThatThrownBy(() -> self.verify(ecCa.certificate(), "alice", CertificateRole.DEVICE, now))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("is a CA certificate");
  }

  @Test
  void issueDevice_invalidName_isRefused() {
    assertThatThrownBy(() -> device("Not A Name")).isInstanceOf(IllegalArgumentException.class);
  }
}
