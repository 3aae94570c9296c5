package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.TestPki;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyFingerprintTest {
  private static final TestPki PKI = TestPki.create("alice");

  @Test
  void of_isSha256OfTheSubjectPublicKeyInfo_in16GroupsOf4LowerCaseHexDigits() throws Exception {
    var cert = PKI.user("alice").signing().certificate();
    String expected =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));

    assertThat(KeyFingerprint.hex(cert)).isEqualTo(expected);
    assertThat(KeyFingerprint.of(cert))
        .matches("([0-9a-f]{4} ){15}[0-9a-f]{4}")
        .isEqualTo(KeyFingerprint.grouped(expected))
        .isEqualTo(KeyFingerprint.of(cert).replace(" ", "").replaceAll("(.{4})(?!$)", "$1 "));
    assertThat(KeyFingerprint.of(cert).replace(" ", "")).isEqualTo(expected);
  }

  @Test
  void of_differsBetweenTheSigningAndTheEncryptionKey() {
    var alice = PKI.user("alice");
    assertThat(KeyFingerprint.of(alice.signing().certificate()))
        .isNotEqualTo(KeyFingerprint.of(alice.encryption().certificate()));
  }
}
