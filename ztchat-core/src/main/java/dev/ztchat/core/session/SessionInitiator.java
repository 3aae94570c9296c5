package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The initiator's side of the v2 session setup (docs/v2/session-setup.md section 6.1): verifies the
 * responder's bundle, agrees on an X25519 secret with the signed prekey, encapsulates to the
 * ML-KEM-768 prekey, derives {@code SK} and {@code AD} from the transcript and signs it.
 *
 * <p>Security guarantees: {@code SK} depends on both the X25519 and the ML-KEM-768 secret, so an
 * attacker who records the first message must break both (the second with a quantum computer) to
 * read the session; authentication (the ECDSA signatures) is classical. The caller MUST have
 * verified the bundle certificate's chain, validity and revocation, and that it belongs to the
 * intended user, before calling.
 */
public final class SessionInitiator {
  private SessionInitiator() {}

  /** Starts a session with the device that published {@code bundle}. */
  public static InitiatorStart start(DeviceKey me, PrekeyBundle bundle, SecureRandom random)
      throws SessionSetupException {
    return start(me, bundle, X25519.generate(random), random, random);
  }

  /** As above with the ephemeral key and the randomness given: for the test vector. */
  static InitiatorStart start(
      DeviceKey me,
      PrekeyBundle bundle,
      X25519.KeyPair ephemeral,
      SecureRandom kemRandom,
      SecureRandom signatureRandom)
      throws SessionSetupException {
    requireNonNull(me, "me");
    requireNonNull(bundle, "bundle");
    byte[] responderCertificateHash = DeviceKey.certificateHash(bundle.verify());
    SignedPrekey spk = bundle.signedPrekey();
    SignedPrekey kemPrekey = bundle.kemPrekey();
    byte[] dh = null;
    byte[] kemSecret = null;
    try {
      try {
        dh = X25519.agree(ephemeral.privateKey(), spk.publicKey());
      } catch (InvalidKeyException e) {
        throw new SessionSetupException(
            SessionSetupException.Reason.WEAK_KEY_AGREEMENT,
            "the responder's signed prekey gives a weak X25519 agreement",
            e);
      }
      MlKem768.Encapsulated encapsulated;
      try {
        encapsulated = MlKem768.encapsulate(kemPrekey.publicKey(), kemRandom);
      } catch (InvalidKeyException e) {
        throw new SessionSetupException(
            SessionSetupException.Reason.BAD_PREKEY,
            "the responder's ML-KEM-768 prekey is not a valid key",
            e);
      }
      kemSecret = encapsulated.sharedSecret();
      byte[] ciphertext = encapsulated.ciphertext();
      byte[] th =
          SessionKeySchedule.transcriptHash(
              SessionKeySchedule.transcript(
                  me.certificateHash(),
                  responderCertificateHash,
                  spk,
                  kemPrekey,
                  ephemeral.publicKey(),
                  ciphertext));
      byte[] sk = SessionKeySchedule.sharedKey(dh, kemSecret, th);
      byte[] signature = me.sign(SessionKeySchedule.signatureInput(th), signatureRandom);
      InitialMessageHeader header =
          new InitialMessageHeader(
              ephemeral.publicKey(),
              spk.id(),
              kemPrekey.kind(),
              kemPrekey.id(),
              ciphertext,
              signature);
      try {
        return new InitiatorStart(sk, th, spk.publicKey(), header);
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
