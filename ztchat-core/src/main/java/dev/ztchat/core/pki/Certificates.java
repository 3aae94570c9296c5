package dev.ztchat.core.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

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
    return attribute(cert, "CN");
  }

  /**
   * The device name of a device certificate (its subject's OU, {@link DeviceName}), or {@link
   * DeviceName#DEFAULT} for a device certificate issued before devices had names (no OU).
   */
  public static String deviceName(X509Certificate cert) {
    String ou = attribute(cert, "OU");
    return DeviceName.isValid(ou) ? ou : DeviceName.DEFAULT;
  }

  private static String attribute(X509Certificate cert, String type) {
    LdapName name;
    try {
      name = new LdapName(cert.getSubjectX500Principal().getName(X500Principal.RFC2253));
    } catch (InvalidNameException e) {
      return ""; // the JDK parsed the certificate, so its own rendering of the name parses too
    }
    // LdapName lists the RDNs in the certificate's order (the RFC 2253 text is reversed).
    for (Rdn rdn : name.getRdns()) {
      if (rdn.getType().equalsIgnoreCase(type) && rdn.getValue() instanceof String value) {
        return value;
      }
    }
    return "";
  }

  /** SHA-256 over the DER encoding, 32 bytes. */
  public static byte[] sha256(X509Certificate cert) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint certificate", e);
    }
  }

  /**
   * SHA-256 fingerprint as colon-separated upper-case hex, as {@code openssl x509 -fingerprint
   * -sha256} prints it.
   */
  public static String fingerprint(X509Certificate cert) {
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256(cert));
  }
}
