package dev.ztchat.core.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Small read-only facts about certificates: CN, SHA-256 fingerprint. */
public final class Certificates {
  /**
   * Below this many days before a certificate expires, whoever relies on it is warned: {@code pki
   * list}, the relay for its own certificate, the client for its own and the server's.
   */
  public static final int EXPIRY_WARNING_DAYS = 30;

  private Certificates() {}

  /** The CN of the subject, or "" when there is none. */
  public static String commonName(X509Certificate cert) {
    X500Name name = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    RDN[] cns = name.getRDNs(BCStyle.CN);
    if (cns.length == 0) {
      return "";
    }
    return IETFUtils.valueToString(cns[0].getFirst().getValue());
  }

  /** SHA-256 over the DER encoding, 32 bytes. */
  public static byte[] sha256(X509Certificate cert) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint certificate", e);
    }
  }

  /** SHA-256 fingerprint as colon-separated upper-case hex, as {@code openssl x509 -fingerprint -sha256} prints it. */
  public static String fingerprint(X509Certificate cert) {
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256(cert));
  }
}
