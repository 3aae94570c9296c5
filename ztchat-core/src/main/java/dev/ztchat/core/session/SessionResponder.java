package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * The responder's side of the v2 session setup (docs/v2/session-setup.md section 6.2): checks the
 * initiator's signature over the transcript, finds the prekeys the header names, agrees and
 * decapsulates, and derives the same {@code SK} and {@code AD} as the initiator, in the order of
 * checks of section 7.
 *
 * <p>Nothing is used up here: the result's {@link Accepted#commit()} deletes the one-time prekey,
 * and the caller calls it only once the first message has passed every other check (signature of
 * the envelope, freshness, replay, decryption). A message that fails later leaves the prekey in
 * place. The caller MUST have verified the initiator certificate's chain, validity and revocation.
 */
public final class SessionResponder {
  private SessionResponder() {}

  /** A successful setup, not yet committed. */
  public static final class Accepted {
    private final PrekeyStore store;
    private final InitialMessageHeader header;
    private final ResponderStart start;
    private boolean committed;

    private Accepted(PrekeyStore store, InitialMessageHeader header, ResponderStart start) {
      this.store = store;
      this.header = header;
      this.start = start;
    }

    /** {@code SK}, {@code AD} and the ratchet key pair. */
    public ResponderStart start() {
      return start;
    }

    /** Whether the initiator used a one-time or the last-resort ML-KEM prekey. */
    public PrekeyKind kemPrekeyKind() {
      return header.kemPrekeyKind();
    }

    public long kemPrekeyId() {
      return header.kemPrekeyId();
    }

    /**
     * Deletes the one-time prekey the session used (nothing for the last-resort one); persist the
     * store afterwards. Calling it again does nothing.
     *
     * @throws SessionSetupException ({@link SessionSetupException.Reason#UNKNOWN_PREKEY}) when the
     *     one-time prekey was used by another session meanwhile: discard this one
     */
    public synchronized void commit() throws SessionSetupException {
      if (committed || header.kemPrekeyKind() != PrekeyKind.ONE_TIME_ML_KEM_768) {
        committed = true;
        return;
      }
      if (!store.consumeOneTime(header.kemPrekeyId())) {
        start.destroy();
        throw new SessionSetupException(
            SessionSetupException.Reason.UNKNOWN_PREKEY,
            "one-time prekey " + header.kemPrekeyId() + " was already used by another session");
      }
      committed = true;
    }
  }

  /**
   * Accepts the initial message header {@code header} sent by the device of {@code
   * initiatorCertificate} to this device ({@code me}, whose prekeys are in {@code store}).
   */
  public static Accepted accept(
      PrekeyStore store,
      DeviceKey me,
      X509Certificate initiatorCertificate,
      InitialMessageHeader header)
      throws SessionSetupException {
    requireNonNull(store, "store");
    requireNonNull(me, "me");
    requireNonNull(initiatorCertificate, "initiatorCertificate");
    requireNonNull(header, "header");
    if (!MessageDigest.isEqual(store.certificateHash(), me.certificateHash())) {
      throw new SessionSetupException(
          SessionSetupException.Reason.WRONG_DEVICE,
          "the prekey store belongs to another device certificate");
    }
    DeviceKey.requireP256(initiatorCertificate);
    SignedPrekey spk = store.signedPrekeyPublished(header.signedPrekeyId());
    X25519.KeyPair spkKeys = store.signedPrekeyKeys(header.signedPrekeyId());
    SignedPrekey kemPrekey = store.kemPublished(header.kemPrekeyKind(), header.kemPrekeyId());
    PrivateKey kemKey = store.kemPrivateKey(header.kemPrekeyKind(), header.kemPrekeyId());
    if (spk == null || spkKeys == null || kemPrekey == null || kemKey == null) {
      throw new SessionSetupException(
          SessionSetupException.Reason.UNKNOWN_PREKEY,
          "the initial message names a prekey this device does not hold (used or expired)");
    }
    byte[] th =
        SessionKeySchedule.transcriptHash(
            SessionKeySchedule.transcript(
                DeviceKey.certificateHash(initiatorCertificate),
                me.certificateHash(),
                spk,
                kemPrekey,
                header.ephemeralKey(),
                header.kemCiphertext()));
    if (!DeviceKey.verify(
        initiatorCertificate, SessionKeySchedule.signatureInput(th), header.signature())) {
      throw new SessionSetupException(
          SessionSetupException.Reason.BAD_INITIATOR_SIGNATURE,
          "the initial message's signature does not verify with the sender's device certificate");
    }
    byte[] dh = null;
    byte[] kemSecret = null;
    try {
      try {
        dh = X25519.agree(spkKeys.privateKey(), header.ephemeralKey());
      } catch (InvalidKeyException e) {
        throw new SessionSetupException(
            SessionSetupException.Reason.WEAK_KEY_AGREEMENT,
            "the initiator's ephemeral key gives a weak X25519 agreement",
            e);
      }
      try {
        kemSecret = MlKem768.decapsulate(kemKey, header.kemCiphertext());
      } catch (InvalidKeyException e) {
        throw new SessionSetupException(
            SessionSetupException.Reason.BAD_PREKEY, "ML-KEM-768 decapsulation failed", e);
      }
      byte[] sk = SessionKeySchedule.sharedKey(dh, kemSecret, th);
      try {
        return new Accepted(store, header, new ResponderStart(sk, th, spkKeys));
      } finally {
        Arrays.fill(sk, (byte) 0);
      }
    } finally {
      if (dh != null) {
        Arrays.fill(dh, (byte) 0);
      }
      if (kemSecret != null) {
        Arrays.fill(kemSecret, (byte) 0);
      }
    }
  }
}
