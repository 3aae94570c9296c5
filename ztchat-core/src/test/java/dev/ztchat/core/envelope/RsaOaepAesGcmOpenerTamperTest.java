package dev.ztchat.core.envelope;

import static dev.ztchat.core.envelope.Fixtures.rejection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.testkit.MutableClock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An attacker on the path (or the relay) changes the envelope. Every change is rejected; what each
 * change yields is the first check it breaks (PROTOCOL.md section 7): a header field changed breaks
 * the signature (BAD_SIGNATURE), unless it removes me from the recipients (NOT_FOR_ME) or names a
 * sender the directory does not know (UNKNOWN_SENDER); the version byte is not decodable at all.
 */
class RsaOaepAesGcmOpenerTamperTest {
  private final MutableClock clock = MutableClock.atRealNow();
  private final SealedEnvelope original =
      Fixtures.sealer("alice", clock)
          .seal(MessageContent.text("pay 10 EUR"), Fixtures.recipients("bob"));
  private final EnvelopeHeader h = original.header();
  private final RsaOaepAesGcmOpener bob = Fixtures.opener("bob", clock);

  private EnvelopeHeader header(String sender, List<String> to, long ts, byte[] id) {
    return new EnvelopeHeader(EnvelopeHeader.VERSION, sender, to, ts, id);
  }

  @Test
  void open_headerSenderChangedToAnotherKnownUser_isBadSignature() {
    SealedEnvelope e =
        Fixtures.withHeader(
            original, header("carol", h.recipients(), h.timestampMillis(), h.messageId()));

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_headerSenderChangedToUnknownName_isUnknownSender() {
    SealedEnvelope e =
        Fixtures.withHeader(
            original, header("mallory", h.recipients(), h.timestampMillis(), h.messageId()));

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.UNKNOWN_SENDER);
  }

  @Test
  void open_headerRecipientAdded_isBadSignature() {
    SealedEnvelope e =
        Fixtures.withHeader(
            original, header("alice", List.of("bob", "carol"), h.timestampMillis(), h.messageId()));

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_headerRecipientReplaced_isNotForMe() {
    SealedEnvelope e =
        Fixtures.withHeader(
            original, header("alice", List.of("carol"), h.timestampMillis(), h.messageId()));

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.NOT_FOR_ME);
  }

  @Test
  void open_headerTimestampChanged_isBadSignature() {
    SealedEnvelope e =
        Fixtures.withHeader(
            original, header("alice", h.recipients(), h.timestampMillis() - 1, h.messageId()));

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_headerMessageIdChanged_isBadSignature() {
    SealedEnvelope e =
        Fixtures.withHeader(
            original,
            header(
                "alice", h.recipients(), h.timestampMillis(), Fixtures.flip(h.messageId(), 15, 0)));

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_flippedNonceBit_isBadSignature() {
    SealedEnvelope e =
        new SealedEnvelope(
            h,
            original.keys(),
            Fixtures.flip(original.nonce(), 0, 0),
            original.ciphertext(),
            original.signature());

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_flippedCiphertextBit_isBadSignature() {
    SealedEnvelope e =
        new SealedEnvelope(
            h,
            original.keys(),
            original.nonce(),
            Fixtures.flip(original.ciphertext(), 0, 7),
            original.signature());

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_flippedTagByte_isBadSignature() {
    byte[] ct = original.ciphertext();
    SealedEnvelope e =
        new SealedEnvelope(
            h,
            original.keys(),
            original.nonce(),
            Fixtures.flip(ct, ct.length - 1, 3),
            original.signature());

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_flippedWrappedKeyBit_isBadSignature() {
    WrappedKey k = original.keys().get(0);
    WrappedKey tampered =
        new WrappedKey(k.recipient(), k.keyId(), Fixtures.flip(k.wrapped(), 100, 2));

    assertThat(rejection(bob, Fixtures.withKeys(original, List.of(tampered))))
        .isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_flippedKeyIdBit_isNotForMe() {
    WrappedKey k = original.keys().get(0);
    WrappedKey tampered =
        new WrappedKey(k.recipient(), Fixtures.flip(k.keyId(), 31, 0), k.wrapped());

    assertThat(rejection(bob, Fixtures.withKeys(original, List.of(tampered))))
        .isEqualTo(RejectionReason.NOT_FOR_ME);
  }

  @Test
  void open_flippedSignatureBit_isBadSignature() {
    SealedEnvelope e =
        new SealedEnvelope(
            h,
            original.keys(),
            original.nonce(),
            original.ciphertext(),
            Fixtures.flip(original.signature(), 200, 5));

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_truncatedSignature_isBadSignature() {
    byte[] sig = original.signature();
    SealedEnvelope e =
        new SealedEnvelope(
            h,
            original.keys(),
            original.nonce(),
            original.ciphertext(),
            Arrays.copyOf(sig, sig.length - 1));

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_signatureByAnotherValidUser_isBadSignature() {
    byte[] carolsSignature =
        EnvelopeAlgorithms.pssSign(
            Fixtures.user("carol").signing().privateKey(), EnvelopeCodec.signedBytes(original));
    SealedEnvelope e =
        new SealedEnvelope(
            h, original.keys(), original.nonce(), original.ciphertext(), carolsSignature);

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.BAD_SIGNATURE);
  }

  @Test
  void open_everyByteOfTheEncodingMutated_neverYieldsPlaintext() throws Exception {
    byte[] bytes = EnvelopeCodec.encode(original);
    int malformed = 0;
    Map<RejectionReason, Integer> reasons = new EnumMap<>(RejectionReason.class);
    for (int i = 0; i < bytes.length; i++) {
      for (int mask : new int[] {0x01, 0x80, 0xff}) {
        byte[] mutated = bytes.clone();
        mutated[i] ^= (byte) mask;
        SealedEnvelope decoded;
        try {
          decoded = EnvelopeCodec.decode(mutated);
        } catch (MalformedEnvelopeException expected) {
          malformed++;
          continue;
        }
        try {
          bob.open(decoded);
          throw new AssertionError("byte " + i + " ^ " + mask + " still opened");
        } catch (EnvelopeRejectedException expected) {
          reasons.merge(expected.reason(), 1, Integer::sum);
        }
      }
    }

    assertThat(malformed).isPositive();
    assertThat(reasons).containsKey(RejectionReason.BAD_SIGNATURE);
    assertThat(reasons)
        .doesNotContainKeys(RejectionReason.REPLAY, RejectionReason.DECRYPTION_FAILED);
    // No mutated copy reached the replay guard: the untouched envelope still opens once.
    assertThat(bob.open(original).text()).isEqualTo("pay 10 EUR");
  }

  @Test
  void open_validSignatureOverChangedHeader_failsDecryption_becauseTheHeaderIsTheAad()
      throws Exception {
    // The sender's own key re-signs: only the GCM associated data can still tell the header
    // changed.
    RsaOaepAesGcmSealer alice = Fixtures.sealer("alice", clock);
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    byte[] id = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    SealedEnvelope sealed =
        alice.sealPlaintext(
            MessageContent.text("hi").encode(),
            Fixtures.recipients("bob", "carol"),
            key,
            nonce,
            id,
            clock.millis());
    EnvelopeHeader s = sealed.header();
    List<EnvelopeHeader> changed = new ArrayList<>();
    changed.add(header("alice", s.recipients(), s.timestampMillis() + 1, id));
    changed.add(header("alice", s.recipients(), s.timestampMillis(), Fixtures.flip(id, 0, 0)));
    changed.add(
        header("alice", List.of("carol", "bob"), s.timestampMillis(), Fixtures.flip(id, 1, 0)));
    changed.add(header("alice", List.of("bob"), s.timestampMillis(), Fixtures.flip(id, 2, 0)));

    for (EnvelopeHeader forged : changed) {
      assertThat(rejection(bob, resigned(forged, sealed)))
          .as("%s", forged)
          .isEqualTo(RejectionReason.DECRYPTION_FAILED);
    }
    // The untouched envelope does open (on a fresh opener: the forgery with the same message id was
    // validly signed, so it already used up that id in bob's replay guard).
    assertThat(Fixtures.opener("bob", clock).open(sealed).text()).isEqualTo("hi");
  }

  @Test
  void open_keyThatDoesNotUnwrap_failsExactlyLikeABadTag() {
    byte[] keyId = original.keys().get(0).keyId();
    byte[] sixteenByteKey =
        EnvelopeAlgorithms.oaepWrap(
            Fixtures.user("bob").encryption().certificate().getPublicKey(), new byte[16]);
    SealedEnvelope badTag =
        resigned(
            header(
                "alice", h.recipients(), h.timestampMillis(), Fixtures.flip(h.messageId(), 0, 1)),
            original);
    SealedEnvelope badPadding =
        resignedKeys(List.of(new WrappedKey("bob", keyId, new byte[256])), freshEnvelope());
    SealedEnvelope wrongKeyLength =
        resignedKeys(List.of(new WrappedKey("bob", keyId, sixteenByteKey)), freshEnvelope());

    EnvelopeRejectedException tag = rejected(badTag);
    EnvelopeRejectedException oaep = rejected(badPadding);
    EnvelopeRejectedException length = rejected(wrongKeyLength);

    assertThat(List.of(tag, oaep, length))
        .allSatisfy(r -> assertThat(r.reason()).isEqualTo(RejectionReason.DECRYPTION_FAILED));
    assertThat(oaep.getMessage()).isEqualTo(tag.getMessage()).isEqualTo(length.getMessage());
  }

  @Test
  void open_signedButUndecodableContent_isMalformedContent() {
    RsaOaepAesGcmSealer alice = Fixtures.sealer("alice", clock);
    for (byte[] plaintext :
        List.of(new byte[0], new byte[] {2, 'h', 'i'}, new byte[] {1, (byte) 0xc0, (byte) 0x80})) {
      SealedEnvelope e =
          alice.sealPlaintext(
              plaintext,
              Fixtures.recipients("bob"),
              EnvelopeAlgorithms.randomBytes(32),
              EnvelopeAlgorithms.randomBytes(12),
              EnvelopeAlgorithms.randomBytes(16),
              clock.millis());

      assertThatThrownBy(() -> bob.open(e))
          .isInstanceOfSatisfying(
              EnvelopeRejectedException.class,
              r -> assertThat(r.reason()).isEqualTo(RejectionReason.MALFORMED_CONTENT));
    }
  }

  private SealedEnvelope freshEnvelope() {
    return Fixtures.sealer("alice", clock)
        .seal(MessageContent.text("x"), Fixtures.recipients("bob"));
  }

  private EnvelopeRejectedException rejected(SealedEnvelope e) {
    try {
      bob.open(e);
    } catch (EnvelopeRejectedException r) {
      return r;
    }
    throw new AssertionError("opened");
  }

  private static SealedEnvelope resigned(EnvelopeHeader forged, SealedEnvelope e) {
    byte[] signed = EnvelopeCodec.signedBytes(forged, e.keys(), e.nonce(), e.ciphertext());
    byte[] sig = EnvelopeAlgorithms.pssSign(Fixtures.user("alice").signing().privateKey(), signed);
    return new SealedEnvelope(forged, e.keys(), e.nonce(), e.ciphertext(), sig);
  }

  private static SealedEnvelope resignedKeys(List<WrappedKey> keys, SealedEnvelope e) {
    byte[] signed = EnvelopeCodec.signedBytes(e.header(), keys, e.nonce(), e.ciphertext());
    byte[] sig = EnvelopeAlgorithms.pssSign(Fixtures.user("alice").signing().privateKey(), signed);
    return new SealedEnvelope(e.header(), keys, e.nonce(), e.ciphertext(), sig);
  }
}
