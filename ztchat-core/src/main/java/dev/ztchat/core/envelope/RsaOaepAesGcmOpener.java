package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyUsageBit;
import dev.ztchat.core.pki.UserIdentity;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.BadPaddingException;

/**
 * {@link EnvelopeOpener} for envelopes made by {@link RsaOaepAesGcmSealer}; implements the receiver
 * checks of docs/PROTOCOL.md, section 7, in this order, stopping at the first failure:
 *
 * <ol>
 *   <li>the sender's signing certificates (from the lookup: the current one, then earlier ones kept
 *       after renewals) are valid, per section 1, for role signing and the header's sender name,
 *       now; those that are not are set aside ({@link RejectionReason#UNKNOWN_SENDER} when the
 *       lookup has none, {@link RejectionReason#UNTRUSTED_SENDER_CERTIFICATE} when none is valid);
 *   <li>the header names me and a key is wrapped for my name and my key id, or the key id of one of
 *       my earlier encryption keys given at construction ({@link RejectionReason#NOT_FOR_ME});
 *   <li>the RSASSA-PSS signature verifies over the signed bytes with one of those certificates, the
 *       current one tried first, at most {@value #MAX_SIGNING_CANDIDATES} ({@link
 *       RejectionReason#BAD_SIGNATURE}); then the certificate that verified is not revoked in a way
 *       that voids a message of that date ({@link RejectionReason#SENDER_REVOKED}, check 3b);
 *   <li>the timestamp is inside the acceptance window ({@link RejectionReason#STALE}, {@link
 *       RejectionReason#FROM_THE_FUTURE});
 *   <li>the (sender, message id) pair is new, and is recorded ({@link RejectionReason#REPLAY});
 *   <li>the content key unwraps and the ciphertext authenticates with the header as associated data
 *       ({@link RejectionReason#DECRYPTION_FAILED}), and the plaintext parses ({@link
 *       RejectionReason#MALFORMED_CONTENT}).
 * </ol>
 *
 * <p><b>Why the id is recorded before decryption.</b> Once the signature verified, the envelope's
 * bytes are fixed by its sender; decrypting them again can only give the same result, so nothing is
 * lost by burning the id when decryption then fails. Recording first (an atomic insert) means two
 * copies delivered at once cannot both be decrypted and shown, and a replayed copy is refused as
 * {@link RejectionReason#REPLAY} without touching the private key, whatever happened to the
 * original. Recording after the signature (never before) keeps anyone but the sender from filling
 * the store with ids.
 *
 * <p>An OAEP failure and a GCM tag failure are the same reason with the same message. Thread-safe
 * when the lookup is.
 */
public final class RsaOaepAesGcmOpener implements EnvelopeOpener {
  /** The most signing certificates of one sender tried on one envelope (current plus earlier). */
  public static final int MAX_SIGNING_CANDIDATES = 8;

  private final String myName;

  /** My encryption credentials, the current one first, then earlier ones still held. */
  private final List<Credential> myEncryption;

  private final List<byte[]> myKeyIds;
  private final CertificateVerifier verifier;
  private final SenderCertificateLookup senders;
  private final ReplayGuard replayGuard;
  private final Clock clock;
  private final AcceptancePolicy policy;
  private final SenderRevocations revocations;

  /**
   * An opener for {@code me} (its encryption credential opens; its signing credential is not used).
   * {@code replayGuard} must remember ids at least as long as {@code policy} requires.
   */
  public RsaOaepAesGcmOpener(
      UserIdentity me,
      CertificateVerifier rootVerifier,
      SenderCertificateLookup senderCertificates,
      ReplayGuard replayGuard,
      Clock clock,
      AcceptancePolicy policy) {
    this(me, rootVerifier, senderCertificates, replayGuard, clock, policy, SenderRevocations.NONE);
  }

  /** As above, and refusing messages whose sender's certificate {@code revocations} voids. */
  public RsaOaepAesGcmOpener(
      UserIdentity me,
      CertificateVerifier rootVerifier,
      SenderCertificateLookup senderCertificates,
      ReplayGuard replayGuard,
      Clock clock,
      AcceptancePolicy policy,
      SenderRevocations revocations) {
    this(me, List.of(), rootVerifier, senderCertificates, replayGuard, clock, policy, revocations);
  }

  /**
   * As above, and also opening envelopes sealed to {@code previousEncryption}: the identity's
   * earlier encryption credentials, kept after a renewal so that envelopes sealed to the old key
   * (queued on the relay while the user renewed) can still be read. Each must be an encryption
   * credential of {@code me}'s name.
   */
  public RsaOaepAesGcmOpener(
      UserIdentity me,
      List<Credential> previousEncryption,
      CertificateVerifier rootVerifier,
      SenderCertificateLookup senderCertificates,
      ReplayGuard replayGuard,
      Clock clock,
      AcceptancePolicy policy,
      SenderRevocations revocations) {
    requireNonNull(me, "me");
    this.myName = me.name();
    List<Credential> keys = new ArrayList<>();
    keys.add(me.encryption());
    for (Credential old : previousEncryption) {
      boolean keyEncipherment = KeyUsageBit.KEY_ENCIPHERMENT.isSetIn(old.certificate());
      if (!Certificates.commonName(old.certificate()).equals(myName) || !keyEncipherment) {
        throw new IllegalArgumentException(
            "a previous encryption credential must be an encryption certificate of " + myName);
      }
      keys.add(old);
    }
    this.myEncryption = List.copyOf(keys);
    this.myKeyIds = myEncryption.stream().map(c -> Certificates.sha256(c.certificate())).toList();
    this.verifier = requireNonNull(rootVerifier, "rootVerifier");
    this.senders = requireNonNull(senderCertificates, "senderCertificates");
    this.replayGuard = requireNonNull(replayGuard, "replayGuard");
    this.clock = requireNonNull(clock, "clock");
    this.policy = requireNonNull(policy, "policy");
    this.revocations = requireNonNull(revocations, "revocations");
    if (replayGuard.policy().retention().compareTo(policy.retention()) < 0) {
      throw new IllegalArgumentException(
          "the replay guard keeps ids for "
              + replayGuard.policy().retention()
              + ", less than the "
              + policy.retention()
              + " this acceptance policy needs: build both from the same policy");
    }
  }

  @Override
  public OpenedMessage open(SealedEnvelope envelope) throws EnvelopeRejectedException {
    requireNonNull(envelope, "envelope");
    EnvelopeHeader header = envelope.header();
    Instant now = clock.instant();
    List<X509Certificate> candidates = checkSender(header, now);
    int mine = checkAddressedToMe(envelope);
    WrappedKey myKey = envelope.keys().get(mine);
    X509Certificate senderCert = checkSignature(envelope, candidates);
    var revoked = revocations.refusal(senderCert, Instant.ofEpochMilli(header.timestampMillis()));
    if (revoked.isPresent()) {
      throw new EnvelopeRejectedException(RejectionReason.SENDER_REVOKED, header, revoked.get());
    }
    checkFresh(header, now);
    if (!replayGuard.firstSighting(header.sender(), header.messageId(), header.timestampMillis())) {
      throw new EnvelopeRejectedException(RejectionReason.REPLAY, header);
    }
    return decrypt(envelope, myKey);
  }

  /** The sender's candidate certificates that are valid for the claimed name, current first. */
  private List<X509Certificate> checkSender(EnvelopeHeader header, Instant now)
      throws EnvelopeRejectedException {
    List<X509Certificate> found = senders.signingCertificates(header.sender());
    if (found == null || found.isEmpty()) {
      throw new EnvelopeRejectedException(
          RejectionReason.UNKNOWN_SENDER, header, "sender '" + header.sender() + "'");
    }
    List<X509Certificate> valid = new ArrayList<>();
    CertificateRejectedException firstRefusal = null;
    for (X509Certificate cert : found.subList(0, Math.min(found.size(), MAX_SIGNING_CANDIDATES))) {
      if (cert == null) {
        continue;
      }
      try {
        verifier.verify(cert, header.sender(), CertificateRole.USER_SIGNING, now);
        valid.add(cert);
      } catch (CertificateRejectedException e) {
        if (firstRefusal == null) {
          firstRefusal = e;
        }
      }
    }
    if (valid.isEmpty()) {
      throw new EnvelopeRejectedException(
          RejectionReason.UNTRUSTED_SENDER_CERTIFICATE, header, firstRefusal.getMessage());
    }
    return valid;
  }

  /** The index in {@code envelope.keys()} of the key wrapped for me (my current key preferred). */
  private int checkAddressedToMe(SealedEnvelope envelope) throws EnvelopeRejectedException {
    if (envelope.header().recipients().contains(myName)) {
      for (byte[] keyId : myKeyIds) {
        for (int i = 0; i < envelope.keys().size(); i++) {
          WrappedKey key = envelope.keys().get(i);
          if (key.recipient().equals(myName) && MessageDigest.isEqual(key.keyId(), keyId)) {
            return i;
          }
        }
      }
    }
    throw new EnvelopeRejectedException(RejectionReason.NOT_FOR_ME, envelope.header());
  }

  /**
   * My credential whose key id is {@code keyId} (one exists: {@link #checkAddressedToMe} found it).
   */
  private Credential credentialFor(byte[] keyId) {
    for (int i = 0; i < myKeyIds.size(); i++) {
      if (MessageDigest.isEqual(myKeyIds.get(i), keyId)) {
        return myEncryption.get(i);
      }
    }
    throw new IllegalStateException("no credential for a key id already matched");
  }

  /** The first of {@code candidates} whose key verifies the envelope's signature. */
  private static X509Certificate checkSignature(
      SealedEnvelope envelope, List<X509Certificate> candidates) throws EnvelopeRejectedException {
    byte[] signed = EnvelopeCodec.signedBytes(envelope);
    for (X509Certificate cert : candidates) {
      if (EnvelopeAlgorithms.pssVerify(cert.getPublicKey(), signed, envelope.signature())) {
        return cert;
      }
    }
    throw new EnvelopeRejectedException(RejectionReason.BAD_SIGNATURE, envelope.header());
  }

  private void checkFresh(EnvelopeHeader header, Instant now) throws EnvelopeRejectedException {
    long nowMillis = now.toEpochMilli();
    long ts = header.timestampMillis();
    // Compared as "ts < now - window" rather than "now - ts > window": ts is any signed 64-bit
    // value, and the subtraction must not overflow.
    if (ts < nowMillis - policy.window().toMillis()) {
      throw new EnvelopeRejectedException(
          RejectionReason.STALE, header, "sent at " + Instant.ofEpochMilli(ts) + ", now " + now);
    }
    if (ts > nowMillis + policy.maxFutureSkew().toMillis()) {
      throw new EnvelopeRejectedException(
          RejectionReason.FROM_THE_FUTURE,
          header,
          "dated " + Instant.ofEpochMilli(ts) + ", now " + now);
    }
  }

  private OpenedMessage decrypt(SealedEnvelope envelope, WrappedKey myKey)
      throws EnvelopeRejectedException {
    EnvelopeHeader header = envelope.header();
    byte[] contentKey = null;
    byte[] plaintext = null;
    try {
      contentKey =
          EnvelopeAlgorithms.oaepUnwrap(credentialFor(myKey.keyId()).privateKey(), myKey.wrapped());
      plaintext =
          EnvelopeAlgorithms.gcmDecrypt(
              contentKey,
              envelope.nonce(),
              EnvelopeCodec.encodeHeader(header),
              envelope.ciphertext());
      MessageContent content = MessageContent.decode(plaintext);
      if (content.isGroupContent()) {
        // Groups exist only over version 2 (docs/v2/groups.md section 3).
        throw new EnvelopeRejectedException(
            RejectionReason.MALFORMED_CONTENT,
            header,
            "a version-1 envelope carries group content (kind "
                + content.kind().code()
                + "), which only version 2 may carry");
      }
      return new OpenedMessage(header, content);
    } catch (BadPaddingException e) {
      // A GCM tag failure (AEADBadTagException) is a BadPaddingException too: OAEP and GCM
      // failures are one reason with one message and no detail, so neither is an oracle.
      throw new EnvelopeRejectedException(RejectionReason.DECRYPTION_FAILED, header);
    } catch (MalformedContentException e) {
      throw new EnvelopeRejectedException(
          RejectionReason.MALFORMED_CONTENT, header, e.getMessage());
    } finally {
      if (contentKey != null) {
        Arrays.fill(contentKey, (byte) 0);
      }
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  @Override
  public String toString() {
    return "RsaOaepAesGcmOpener[" + myName + "]";
  }
}
