package dev.ztchat.client;

import dev.ztchat.core.pki.KeyFingerprint;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;

/**
 * Fingerprints of public keys as contacts are pinned and shown: SHA-256 over the
 * SubjectPublicKeyInfo ({@link KeyFingerprint}), the same form {@code ztchat pki list} prints, so
 * an administrator can match what a user reads out.
 */
final class KeyFingerprints {
  private KeyFingerprints() {}

  /** Lower-case hex SHA-256 of the certificate's public key, ungrouped (as pins are stored). */
  public static String ofKey(X509Certificate cert) {
    return KeyFingerprint.hex(cert);
  }

  /**
   * A contact's keys for display, each in the form {@code pki list} shows: {@code signing 3f2a ...,
   * encryption 9c01 ...}.
   */
  public static String display(String signingKeyHex, String encryptionKeyHex) {
    return "signing "
        + KeyFingerprint.grouped(signingKeyHex)
        + ", encryption "
        + KeyFingerprint.grouped(encryptionKeyHex);
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
