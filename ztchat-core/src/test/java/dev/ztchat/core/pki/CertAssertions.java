package dev.ztchat.core.pki;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Reads X.509 facts in the shape tests compare: key usage bit numbers and SAN entries. */
final class CertAssertions {
  static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  static final String BASIC_CONSTRAINTS = "2.5.29.19";
  static final String KEY_USAGE = "2.5.29.15";

  /** RFC 5280 bit 0. */
  static final int DIGITAL_SIGNATURE = 0;

  static final int KEY_ENCIPHERMENT = 2;
  static final int KEY_CERT_SIGN = 5;
  static final int CRL_SIGN = 6;

  private CertAssertions() {}

  /** The numbers of the keyUsage bits that are set. */
  static Set<Integer> keyUsageBits(X509Certificate cert) {
    Set<Integer> bits = new TreeSet<>();
    boolean[] usage = cert.getKeyUsage();
    for (int i = 0; usage != null && i < usage.length; i++) {
      if (usage[i]) {
        bits.add(i);
      }
    }
    return bits;
  }

  /** SAN entries as "DNS:name" / "IP:address", like openssl prints them. */
  static List<String> subjectAltNames(X509Certificate cert) throws Exception {
    var names = cert.getSubjectAlternativeNames();
    if (names == null) {
      return List.of();
    }
    return names.stream().map(n -> ((Integer) n.get(0) == 7 ? "IP:" : "DNS:") + n.get(1)).toList();
  }
}
