package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testkit.MutableClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RsaOaepAesGcmSealerTest {
  private final MutableClock clock = MutableClock.at(Instant.parse("2026-03-04T05:06:07.089Z"));
  private final RsaOaepAesGcmSealer alice = Fixtures.sealer("alice", clock);

  @Test
  void seal_headerNamesSenderRecipientsAndClockTime() {
    SealedEnvelope e = alice.seal(MessageContent.text("hi"), Fixtures.recipients("bob", "carol"));

    assertThat(e.header().version()).isEqualTo(EnvelopeHeader.VERSION);
    assertThat(e.header().sender()).isEqualTo("alice");
    assertThat(e.header().recipients()).containsExactly("bob", "carol");
    assertThat(e.header().timestampMillis()).isEqualTo(clock.millis());
  }

  @Test
  void seal_wrapsOneKeyPerRecipient_withKeyIdOfItsCertificate() {
    SealedEnvelope e = alice.seal(MessageContent.text("hi"), Fixtures.recipients("bob", "carol"));

    assertThat(e.keys()).extracting(WrappedKey::recipient).containsExactly("bob", "carol");
    assertThat(e.keys().get(0).keyId())
        .isEqualTo(Certificates.sha256(Fixtures.user("bob").encryption().certificate()));
    assertThat(e.keys().get(0).wrapped()).hasSize(256); // RSA-2048
    assertThat(e.ciphertext()).hasSize(1 + 2 + SealedEnvelope.TAG_BYTES);
  }

  @Test
  void seal_twice_usesFreshNonceMessageIdAndContentKey() {
    SealedEnvelope a = alice.seal(MessageContent.text("same"), Fixtures.recipients("bob"));
    SealedEnvelope b = alice.seal(MessageContent.text("same"), Fixtures.recipients("bob"));

    assertThat(a.nonce()).isNotEqualTo(b.nonce());
    assertThat(a.header().messageId()).isNotEqualTo(b.header().messageId());
    assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
  }

  @Test
  void seal_severalKeysOfOneUser_namesTheUserOnceInTheHeader() {
    UserIdentity bobLaptop = Fixtures.BOB_LAPTOP;
    List<RecipientKey> keys =
        List.of(Fixtures.recipient("bob"), RecipientKey.of(bobLaptop.encryption().certificate()));

    SealedEnvelope e = alice.seal(MessageContent.text("hi"), keys);

    assertThat(e.header().recipients()).containsExactly("bob");
    assertThat(e.keys()).hasSize(2);
  }

  @Test
  void seal_keyEntryNamesAreExactlyTheHeaderRecipients_soTheRelayRoutesIt() throws Exception {
    List<RecipientKey> keys =
        List.of(
            Fixtures.recipient("carol"),
            Fixtures.recipient("bob"),
            RecipientKey.of(Fixtures.BOB_LAPTOP.encryption().certificate()));

    SealedEnvelope e = alice.seal(MessageContent.text("hi"), keys);

    assertThat(e.keys()).extracting(WrappedKey::recipient).containsExactly("carol", "bob", "bob");
    assertThat(EnvelopeCodec.decodeRoutable(EnvelopeCodec.encode(e)).recipients())
        .containsExactly("carol", "bob");
  }

  @Test
  void decodeRoutable_refusesKeyEntriesThatAreNotTheHeaderRecipients() {
    SealedEnvelope e = alice.seal(MessageContent.text("hi"), Fixtures.recipients("bob", "carol"));
    SealedEnvelope missing = Fixtures.withKeys(e, List.of(e.keys().get(0)));
    SealedEnvelope extra =
        Fixtures.withHeader(
            e,
            new EnvelopeHeader(
                1, "alice", List.of("bob"), e.header().timestampMillis(), e.header().messageId()));

    assertThatThrownBy(() -> EnvelopeCodec.decodeRoutable(EnvelopeCodec.encode(missing)))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessage("recipient carol has no key entry");
    assertThatThrownBy(() -> EnvelopeCodec.decodeRoutable(EnvelopeCodec.encode(extra)))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessage("a key entry names carol, who is not a recipient");
  }

  @Test
  void seal_toASigningCertificate_isRefused() {
    RecipientKey wrong = RecipientKey.of(Fixtures.user("bob").signing().certificate());

    assertThatThrownBy(() -> alice.seal(MessageContent.text("hi"), List.of(wrong)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'bob' is not an encryption certificate");
  }

  @Test
  void seal_toTheCaCertificate_isRefused() {
    RecipientKey wrong = new RecipientKey("bob", Fixtures.PKI.ca().certificate());

    assertThatThrownBy(() -> alice.seal(MessageContent.text("hi"), List.of(wrong)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an encryption certificate");
  }

  @Test
  void seal_toNobody_isRefused() {
    assertThatThrownBy(() -> alice.seal(MessageContent.text("hi"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 128 recipient keys");
  }

  @Test
  void seal_sameKeyTwice_isRefused() {
    assertThatThrownBy(
            () -> alice.seal(MessageContent.text("hi"), Fixtures.recipients("bob", "bob")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listed twice");
  }

  @Test
  void sealer_whoseSigningCredentialIsAnEncryptionCertificate_isRefused() {
    UserIdentity a = Fixtures.user("alice");
    UserIdentity swapped = new UserIdentity("alice", a.encryption(), a.encryption());

    assertThatThrownBy(() -> new RsaOaepAesGcmSealer(swapped, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a signing certificate");
  }

  @Test
  void sealer_whoseNameDiffersFromItsCertificate_isRefused() {
    UserIdentity a = Fixtures.user("alice");
    UserIdentity mislabelled = new UserIdentity("mallory", a.signing(), a.encryption());

    assertThatThrownBy(() -> new RsaOaepAesGcmSealer(mislabelled, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names 'alice', not the sender 'mallory'");
  }

  @Test
  void toString_neverShowsContentOrKeys() {
    SealedEnvelope e = alice.seal(MessageContent.text("secret words"), Fixtures.recipients("bob"));

    assertThat(e.toString()).doesNotContain("secret");
    assertThat(alice.toString()).isEqualTo("RsaOaepAesGcmSealer[alice]");
  }
}
