package dev.ztchat.client;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/** Fingerprints of public keys (SHA-256 over the SubjectPublicKeyInfo), as contacts are pinned and shown. */
public final class KeyFingerprints {
  private KeyFingerprints() {}

  /** Lower-case hex SHA-256 of the certificate's public key. */
  public static String ofKey(X509Certificate cert) {
    return HexFormat.of().formatHex(sha256(cert.getPublicKey().getEncoded()));
  }

  /** A contact's key fingerprint for display: SHA-256 over both keys, in groups of 4 hex digits. */
  public static String display(String signingKeyHex, String encryptionKeyHex) {
    String hex = HexFormat.of().formatHex(sha256((signingKeyHex + ":" + encryptionKeyHex).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 32; i += 4) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(hex, i, i + 4);
    }
    return b.toString();
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
