package dev.ztchat.core.session;

import dev.ztchat.core.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The transcript, its hash, the key derivation and the initiator's signature input of
 * docs/v2/session-setup.md section 6: one place, used by both sides and by the vector test.
 */
final class SessionKeySchedule {
  static final byte[] TRANSCRIPT_LABEL =
      "ztchat-v2-session-transcript".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SK_LABEL = "ztchat-v2-session-sk".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SIGNATURE_LABEL =
      "ztchat-v2-session-initiator-signature".getBytes(StandardCharsets.US_ASCII);
  static final int PROTOCOL_VERSION = 2;

  /** PQXDH's F: 32 0xFF bytes before the X25519 output (X3DH section 2.2). */
  static final int F_LENGTH = 32;

  private SessionKeySchedule() {}

  /** The transcript T: every public value of the setup, in a fixed order and fixed lengths. */
  static byte[] transcript(
      byte[] initiatorCertificateHash,
      byte[] responderCertificateHash,
      SignedPrekey signedPrekey,
      SignedPrekey kemPrekey,
      byte[] ephemeralKey,
      byte[] kemCiphertext) {
    return new ByteWriter()
        .bytes(TRANSCRIPT_LABEL)
        .u8(PROTOCOL_VERSION)
        .bytes(initiatorCertificateHash)
        .bytes(responderCertificateHash)
        .u32(signedPrekey.id())
        .bytes(signedPrekey.publicKey())
        .u8(kemPrekey.kind().code())
        .u32(kemPrekey.id())
        .bytes(kemPrekey.publicKey())
        .bytes(ephemeralKey)
        .bytes(kemCiphertext)
        .toByteArray();
  }

  /** AD = SHA-256(T). */
  static byte[] transcriptHash(byte[] transcript) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(transcript);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
    }
  }

  /**
   * SK = HKDF-SHA256(salt = 32 zero bytes, IKM = F || DH || SS, info = "ztchat-v2-session-sk" ||
   * SHA-256(T), 32). Zeroes its copy of the IKM.
   */
  static byte[] sharedKey(byte[] dh, byte[] kemSecret, byte[] transcriptHash) {
    byte[] ikm = new byte[F_LENGTH + dh.length + kemSecret.length];
    Arrays.fill(ikm, 0, F_LENGTH, (byte) 0xff);
    System.arraycopy(dh, 0, ikm, F_LENGTH, dh.length);
    System.arraycopy(kemSecret, 0, ikm, F_LENGTH + dh.length, kemSecret.length);
    byte[] info = new ByteWriter().bytes(SK_LABEL).bytes(transcriptHash).toByteArray();
    try {
      return Hkdf.derive(new byte[Hkdf.HASH_BYTES], ikm, info, 32);
    } finally {
      Arrays.fill(ikm, (byte) 0);
    }
  }

  /** What the initiator signs: "ztchat-v2-session-initiator-signature" || SHA-256(T). */
  static byte[] signatureInput(byte[] transcriptHash) {
    return new ByteWriter().bytes(SIGNATURE_LABEL).bytes(transcriptHash).toByteArray();
  }
}
