package dev.ztchat.client;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A short number two people compare out of band to know they hold each other's real keys. It is
 * derived from both parties' names and public keys (signing and encryption), ordered so that both
 * sides compute the same number: 30 decimal digits in six groups of five.
 */
final class SafetyNumber {
  private SafetyNumber() {}

  /** The safety number of the pair (a, b); symmetric: of(a, b) equals of(b, a). */
  public static String of(VerifiedContact a, VerifiedContact b) {
    return of(part(a), part(b));
  }

  /**
   * The safety number of {@code me} and a contact known only by the SHA-256 of its two public keys
   * (as pinned): the same number {@link #of} gives for the contact's certificates.
   */
  static String ofPinned(
      VerifiedContact me, String name, byte[] signingKeyHash, byte[] encryptionKeyHash) {
    return of(part(me), part(name, signingKeyHash, encryptionKeyHash));
  }

  private static String of(byte[] a, byte[] b) {
    List<byte[]> parts = Arrays.asList(a, b);
    parts.sort(Comparator.comparing(p -> new BigInteger(1, p)));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes("ztchat-safety-number-v1".getBytes(StandardCharsets.US_ASCII));
    parts.forEach(all::writeBytes);
    byte[] digest = KeyFingerprints.sha256(all.toByteArray());
    String digits = new BigInteger(1, digest).mod(BigInteger.TEN.pow(30)).toString();
    digits = "0".repeat(30 - digits.length()) + digits;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 30; i += 5) {
      if (i > 0) {
        out.append(' ');
      }
      out.append(digits, i, i + 5);
    }
    return out.toString();
  }

  private static byte[] part(VerifiedContact c) {
    return part(c.name(), spkiHash(c.signing()), spkiHash(c.encryption()));
  }

  private static byte[] part(String name, byte[] signingKeyHash, byte[] encryptionKeyHash) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
    out.write(0);
    out.writeBytes(signingKeyHash);
    out.writeBytes(encryptionKeyHash);
    return KeyFingerprints.sha256(out.toByteArray());
  }

  private static byte[] spkiHash(X509Certificate cert) {
    return KeyFingerprints.sha256(cert.getPublicKey().getEncoded());
  }
}
