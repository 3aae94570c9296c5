package dev.ztchat.core.envelope;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One test PKI (alice, bob, carol) shared by the envelope tests, since RSA key generation is the
 * slow part, and shortcuts to build sealers and openers over it.
 */
final class Fixtures {
  static final TestPki PKI = TestPki.create("alice", "bob", "carol");
  static final CertificateVerifier VERIFIER = new CertificateVerifier(PKI.ca().certificate());

  /** Bob's second device: same name, its own keys and certificates from the same CA. */
  @SuppressWarnings("TimeInStaticInitializer") // valid from shortly before the tests run
  static final UserIdentity BOB_LAPTOP =
      CertificateIssuer.issueUser(
          PKI.ca(),
          "bob",
          TestPki.TEST_KEY_BITS,
          Instant.now().minus(Duration.ofMinutes(5)),
          Duration.ofDays(30));

  private Fixtures() {}

  static UserIdentity user(String name) {
    return PKI.user(name);
  }

  /** The honest directory: each known user's signing certificate. */
  static X509Certificate directory(String name) {
    return switch (name) {
      case "alice", "bob", "carol" -> PKI.user(name).signing().certificate();
      default -> null;
    };
  }

  static RecipientKey recipient(String name) {
    return RecipientKey.of(PKI.user(name).encryption().certificate());
  }

  static List<RecipientKey> recipients(String... names) {
    return Arrays.stream(names).map(Fixtures::recipient).toList();
  }

  static RsaOaepAesGcmSealer sealer(String name, Clock clock) {
    return new RsaOaepAesGcmSealer(PKI.user(name), clock);
  }

  /** An opener for {@code name} over the honest directory, a fresh in-memory replay guard. */
  static RsaOaepAesGcmOpener opener(String name, Clock clock) {
    return opener(PKI.user(name), clock, Fixtures::directory);
  }

  static RsaOaepAesGcmOpener opener(UserIdentity me, Clock clock, SenderCertificateLookup lookup) {
    return new RsaOaepAesGcmOpener(
        me,
        VERIFIER,
        lookup,
        ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, clock),
        clock,
        AcceptancePolicy.DEFAULT);
  }

  /** A lookup that returns {@code cert} for every name. */
  static SenderCertificateLookup always(X509Certificate cert) {
    return name -> cert;
  }

  /** The same envelope with another header (signature untouched). */
  static SealedEnvelope withHeader(SealedEnvelope e, EnvelopeHeader h) {
    return new SealedEnvelope(h, e.keys(), e.nonce(), e.ciphertext(), e.signature());
  }

  /** The same envelope with other wrapped keys (signature untouched). */
  static SealedEnvelope withKeys(SealedEnvelope e, List<WrappedKey> keys) {
    return new SealedEnvelope(e.header(), keys, e.nonce(), e.ciphertext(), e.signature());
  }

  /** {@code bytes} with bit {@code bit} of byte {@code index} flipped. */
  static byte[] flip(byte[] bytes, int index, int bit) {
    byte[] out = bytes.clone();
    out[index] ^= (byte) (1 << bit);
    return out;
  }

  /** The reason {@code opener} rejects {@code e}; fails the test if it opens. */
  static RejectionReason rejection(EnvelopeOpener opener, SealedEnvelope e) {
    try {
      opener.open(e);
    } catch (EnvelopeRejectedException r) {
      return r.reason();
    }
    throw new AssertionError("the envelope opened, but it should have been rejected");
  }
}
