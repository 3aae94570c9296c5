package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.KeyFingerprint;
import dev.ztchat.core.testing.TestPki;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyFingerprintsTest {
  private static final TestPki PKI = TestPki.create("alice");

  @Test
  void contactFingerprint_namesEachKeyInTheFormPkiListShows() {
    var alice = PKI.user("alice");
    VerifiedContact c =
        new VerifiedContact(
            "alice", alice.signing().certificate(), alice.encryption().certificate());

    assertThat(c.fingerprint())
        .isEqualTo(
            "signing "
                + KeyFingerprint.of(alice.signing().certificate())
                + ", encryption "
                + KeyFingerprint.of(alice.encryption().certificate()));
  }

  @Test
  void ofKey_staysTheUngroupedHexThatPinsAreStoredAs() throws Exception {
    var cert = PKI.user("alice").encryption().certificate();
    assertThat(KeyFingerprints.ofKey(cert))
        .isEqualTo(
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded())));
  }
}
