package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/**
 * The safety number binds both names and all four public keys, reads the same on both sides, and
 * comes out the same from pinned key hashes as from certificates. The known-answer vector is in
 * {@link SafetyNumberVectorTest} (docs/PROTOCOL.md section 11).
 */
class SafetyNumberTest {
  static final TestPki PKI = TestPki.create("alice", "bob");
  static final TestPki OTHER = TestPki.rogue("bob");

  static VerifiedContact contact(String name, UserIdentity keys) {
    return new VerifiedContact(name, keys.signing().certificate(), keys.encryption().certificate());
  }

  static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  final VerifiedContact alice = contact("alice", PKI.user("alice"));
  final VerifiedContact bob = contact("bob", PKI.user("bob"));

  @Test
  void isThirtyDigitsInSixGroupsOfFive() {
    assertThat(SafetyNumber.of(alice, bob)).matches("\\d{5}( \\d{5}){5}");
  }

  @Test
  void isTheSameEitherWayRound() {
    assertThat(SafetyNumber.of(alice, bob)).isEqualTo(SafetyNumber.of(bob, alice));
  }

  @Test
  void anotherSigningKey_changesTheNumber() {
    VerifiedContact otherSigning =
        new VerifiedContact("bob", OTHER.user("bob").signing().certificate(), bob.encryption());

    assertThat(SafetyNumber.of(alice, otherSigning)).isNotEqualTo(SafetyNumber.of(alice, bob));
  }

  @Test
  void anotherEncryptionKey_changesTheNumber() {
    VerifiedContact otherEncryption =
        new VerifiedContact("bob", bob.signing(), OTHER.user("bob").encryption().certificate());

    assertThat(SafetyNumber.of(alice, otherEncryption)).isNotEqualTo(SafetyNumber.of(alice, bob));
  }

  @Test
  void swappedSigningAndEncryptionKeys_changeTheNumber() {
    VerifiedContact swapped = new VerifiedContact("bob", bob.encryption(), bob.signing());

    assertThat(SafetyNumber.of(alice, swapped)).isNotEqualTo(SafetyNumber.of(alice, bob));
  }

  @Test
  void theSameKeysUnderAnotherName_changeTheNumber() {
    VerifiedContact renamed = new VerifiedContact("bobby", bob.signing(), bob.encryption());

    assertThat(SafetyNumber.of(alice, renamed)).isNotEqualTo(SafetyNumber.of(alice, bob));
  }

  @Test
  void fromPinnedKeyHashes_isTheNumberOfTheCertificates() throws Exception {
    String pinned =
        SafetyNumber.ofPinned(
            alice,
            "bob",
            sha256(bob.signing().getPublicKey().getEncoded()),
            sha256(bob.encryption().getPublicKey().getEncoded()));

    assertThat(pinned).isEqualTo(SafetyNumber.of(alice, bob));
  }
}
