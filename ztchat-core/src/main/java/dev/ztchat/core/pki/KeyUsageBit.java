package dev.ztchat.core.pki;

import java.security.cert.X509Certificate;

/**
 * The X.509 keyUsage bits the project's roles use (RFC 5280 section 4.2.1.3), with their index in
 * {@link X509Certificate#getKeyUsage()}: the one place that knows those indices.
 */
public enum KeyUsageBit {
  DIGITAL_SIGNATURE(0),
  KEY_ENCIPHERMENT(2),
  KEY_CERT_SIGN(5);

  private final int index;

  KeyUsageBit(int index) {
    this.index = index;
  }

  /** Whether {@code cert} has this keyUsage bit set; false when it has no keyUsage extension. */
  public boolean isSetIn(X509Certificate cert) {
    boolean[] usage = cert.getKeyUsage();
    return usage != null && usage.length > index && usage[index];
  }
}
