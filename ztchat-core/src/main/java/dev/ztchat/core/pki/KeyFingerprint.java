package dev.ztchat.core.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The one fingerprint form that users and administrators compare: SHA-256 over the certificate's
 * SubjectPublicKeyInfo (the public key, not the whole certificate, so a renewal that keeps the key
 * keeps the fingerprint), written as lower-case hex in 16 groups of 4 digits. {@code ztchat pki
 * list} and the client's {@code /fingerprint} both show it; an administrator can compute it with
 * {@code openssl x509 -in CERT -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum}.
 */
public final class KeyFingerprint {
  private static final int GROUP = 4;

  private KeyFingerprint() {}

  /** The fingerprint of {@code cert}'s public key in the shown form. */
  public static String of(X509Certificate cert) {
    return grouped(hex(cert));
  }

  /** SHA-256 of {@code cert}'s SubjectPublicKeyInfo as 64 lower-case hex digits, ungrouped. */
  public static String hex(X509Certificate cert) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** The shown form of a fingerprint held as ungrouped hex (as {@link #hex} returns it). */
  public static String grouped(String hex) {
    StringBuilder b = new StringBuilder(hex.length() + hex.length() / GROUP);
    for (int i = 0; i < hex.length(); i += GROUP) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(hex, i, Math.min(hex.length(), i + GROUP));
    }
    return b.toString();
  }
}
