package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.crypto.BoringSslProvider;
import dev.ztchat.core.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateVerifierTest {
  static TestPki pki;
  static TestPki rogue;
  static CertificateVerifier verifier;

  @SuppressWarnings("TimeInStaticInitializer") // one instant for every certificate of the class
  static final Instant NOW = Instant.now();

  @BeforeAll
  static void createPkis() {
    pki = TestPki.create("alice", "bob");
    rogue = TestPki.rogue("alice");
    verifier = new CertificateVerifier(pki.ca().certificate());
  }

  static X509Certificate craft(
      String cn, Credential issuer, Instant notBefore, Instant notAfter, CertificateRole role) {
    KeyPair keys = CertificateIssuer.generateRsaKeyPair(TestPki.TEST_KEY_BITS);
    return CertificateIssuer.build(
        new CertificateIssuer.Spec(
            cn, keys.getPublic(), issuer, keys, notBefore, notAfter, role, List.of()));
  }

  static void assertRejected(
      X509Certificate cert, String name, CertificateRole role, String reason) {
    assertThatThrownBy(() -> verifier.verify(cert, name, role, NOW))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessage(reason);
  }

  @Test
  void aCertificateOnceAccepted_isStillCheckedForTimeNameAndRole_everyTime() throws Exception {
    CertificateVerifier fresh = new CertificateVerifier(pki.ca().certificate());
    X509Certificate cert = pki.user("bob").signing().certificate();
    fresh.verify(cert, "bob", CertificateRole.USER_SIGNING, NOW);

    Instant afterExpiry = cert.getNotAfter().toInstant().plusSeconds(1);
    assertThatThrownBy(() -> fresh.verify(cert, "bob", CertificateRole.USER_SIGNING, afterExpiry))
        .isInstanceOf(CertificateRejectedException.class)
        .hasMessageContaining("expired");
    assertThatThrownBy(() -> fresh.verify(cert, "alice", CertificateRole.USER_SIGNING, NOW))
        .isInstanceOf(CertificateRejectedException.class);
    assertThatThrownBy(() -> fresh.verify(cert, "bob", CertificateRole.USER_ENCRYPTION, NOW))
        .isInstanceOf(CertificateRejectedException.class);
    // The same name from another CA is not taken for the accepted one.
    X509Certificate forged = rogue.user("alice").signing().certificate();
    fresh.verify(
        pki.user("alice").signing().certificate(), "alice", CertificateRole.USER_SIGNING, NOW);
    assertThatThrownBy(() -> fresh.verify(forged, "alice", CertificateRole.USER_SIGNING, NOW))
        .isInstanceOf(CertificateRejectedException.class);
  }

  @Test
  void verify_certificatesIssuedByTheCa_areAcceptedForTheirRoleAndName() throws Exception {
    UserIdentity alice = pki.user("alice");

    verifier.verify(alice.signing().certificate(), "alice", CertificateRole.USER_SIGNING, NOW);
    verifier.verify(
        alice.encryption().certificate(), "alice", CertificateRole.USER_ENCRYPTION, NOW);
    verifier.verify(pki.server().certificate(), null, CertificateRole.SERVER, NOW);
    assertThat(verifier.rootCa()).isSameAs(pki.ca().certificate());
  }

  @Test
  void verify_selfSignedCertificate_isRejected() {
    X509Certificate selfSigned =
        craft(
            "alice",
            null,
            NOW.minusSeconds(60),
            NOW.plusSeconds(3600),
            CertificateRole.USER_SIGNING);

    assertRejected(
        selfSigned,
        "alice",
        CertificateRole.USER_SIGNING,
        "certificate for 'alice' was not issued by our root CA");
  }

  @Test
  void verify_certificateFromARogueCaWithTheSameName_isRejected() {
    X509Certificate forged = rogue.user("alice").signing().certificate();
    assertThat(forged.getIssuerX500Principal())
        .isEqualTo(pki.ca().certificate().getSubjectX500Principal());

    assertRejected(
        forged,
        "alice",
        CertificateRole.USER_SIGNING,
        "certificate for 'alice' has a signature that our root CA did not make");
  }

  @Test
  void verify_certificateForAnotherName_isRejected() {
    assertRejected(
        pki.user("bob").signing().certificate(),
        "alice",
        CertificateRole.USER_SIGNING,
        "certificate names 'bob', not 'alice'");
  }

  @Test
  void verify_expiredCertificate_isRejected() {
    Instant notAfter = NOW.minus(Duration.ofDays(1));
    X509Certificate expired =
        craft(
            "alice",
            pki.ca(),
            NOW.minus(Duration.ofDays(30)),
            notAfter,
            CertificateRole.USER_SIGNING);

    assertRejected(
        expired,
        "alice",
        CertificateRole.USER_SIGNING,
        "certificate for 'alice' expired on " + expired.getNotAfter().toInstant());
  }

  @Test
  void verify_notYetValidCertificate_isRejected() {
    X509Certificate early =
        craft(
            "alice",
            pki.ca(),
            NOW.plus(Duration.ofDays(1)),
            NOW.plus(Duration.ofDays(30)),
            CertificateRole.USER_SIGNING);

    assertRejected(
        early,
        "alice",
        CertificateRole.USER_SIGNING,
        "certificate for 'alice' is not valid before " + early.getNotBefore().toInstant());
  }

  @Test
  void verify_encryptionCertificateUsedForSigning_isRejected() {
    assertRejected(
        pki.user("alice").encryption().certificate(),
        "alice",
        CertificateRole.USER_SIGNING,
        "certificate for 'alice' is not allowed for signing (client authentication)");
  }

  @Test
  void verify_signingCertificateUsedForEncryption_isRejected() {
    assertRejected(
        pki.user("alice").signing().certificate(),
        "alice",
        CertificateRole.USER_ENCRYPTION,
        "certificate for 'alice' is not allowed for encryption (key transport)");
  }

  @Test
  void verify_serverCertificateUsedAsAUserSigningCertificate_isRejectedForItsEku() {
    assertRejected(
        pki.server().certificate(),
        null,
        CertificateRole.USER_SIGNING,
        "certificate for 'ztchat-server' lacks the extended key usage for signing (client"
            + " authentication)");
  }

  @Test
  void verify_caCertificateAsALeaf_isRejected() {
    assertRejected(
        pki.ca().certificate(),
        null,
        CertificateRole.USER_SIGNING,
        "certificate for 'ztchat test root CA' is a CA certificate");
  }

  @Test
  void verify_weakRsaKey_isRejected() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(1024);
    KeyPair weak = generator.generateKeyPair();
    X509Certificate cert =
        CertificateIssuer.build(
            new CertificateIssuer.Spec(
                "alice",
                weak.getPublic(),
                pki.ca(),
                null,
                NOW.minusSeconds(60),
                NOW.plusSeconds(3600),
                CertificateRole.USER_SIGNING,
                List.of()));

    assertRejected(
        cert,
        "alice",
        CertificateRole.USER_SIGNING,
        "certificate for 'alice' does not hold an RSA key of at least 2048 bits");
  }

  @Test
  void verify_signatureCheckedByBoringSsl_refusesOneFlippedSignatureByte() throws Exception {
    Assumptions.assumeTrue(BoringSslProvider.get().isPresent(), "BoringSSL loads on this platform");
    assertThat(verifier.signatureProvider()).isEqualTo("BoringSSL");
    byte[] der = pki.user("alice").signing().certificate().getEncoded();
    der[der.length - 1] ^= 0x01; // the last byte of the DER is the signature's
    X509Certificate tampered =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));

    assertRejected(
        tampered,
        "alice",
        CertificateRole.USER_SIGNING,
        "certificate for 'alice' has a signature that our root CA did not make");
    verifier.verify(
        pki.user("alice").signing().certificate(), "alice", CertificateRole.USER_SIGNING, NOW);
  }
}
