package dev.ztchat.core.pki;

import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * What a certificate is for, and the X.509 extensions that say so. One place for the policy: the
 * issuer writes these extensions and {@link CertificateVerifier} demands them.
 *
 * <p>Bouncy Castle's key usage bits are compile-time constants, so checking a certificate (what
 * every client does) never loads Bouncy Castle; only issuing does.
 */
public enum CertificateRole {
  /** The organisation's root CA: signs certificates and CRLs. */
  ROOT_CA(KeyUsage.keyCertSign | KeyUsage.cRLSign, null),
  /** The relay's TLS server certificate. */
  SERVER(KeyUsage.digitalSignature, "1.3.6.1.5.5.7.3.1"), // id-kp-serverAuth
  /** A user's v1 signing certificate (RSA): TLS client authentication and v1 message signatures. */
  USER_SIGNING(KeyUsage.digitalSignature, "1.3.6.1.5.5.7.3.2"), // id-kp-clientAuth
  /** A user's encryption certificate: only receives RSA-OAEP wrapped content keys. */
  USER_ENCRYPTION(KeyUsage.keyEncipherment, null),
  /**
   * A v2 device certificate (ECDSA P-256, docs/v2/device-certificates.md): signs v2 envelopes and
   * prekeys and is the device's TLS client certificate. Never accepted as {@link #USER_SIGNING} or
   * {@link #USER_ENCRYPTION}, nor they as this: the key type tells them apart.
   */
  DEVICE(KeyUsage.digitalSignature, "1.3.6.1.5.5.7.3.2"); // id-kp-clientAuth

  private final int keyUsage;
  private final String extendedKeyUsage;

  CertificateRole(int keyUsage, String extendedKeyUsage) {
    this.keyUsage = keyUsage;
    this.extendedKeyUsage = extendedKeyUsage;
  }

  /** Bouncy Castle key usage bits for this role. */
  int keyUsageBits() {
    return keyUsage;
  }

  /** The keyUsage bit a certificate of this role must have set. */
  KeyUsageBit requiredKeyUsage() {
    return switch (this) {
      case ROOT_CA -> KeyUsageBit.KEY_CERT_SIGN;
      case SERVER, USER_SIGNING, DEVICE -> KeyUsageBit.DIGITAL_SIGNATURE;
      case USER_ENCRYPTION -> KeyUsageBit.KEY_ENCIPHERMENT;
    };
  }

  /** The OID of the extended key usage this role carries and requires, or {@code null} for none. */
  String requiredExtendedKeyUsageOid() {
    return extendedKeyUsage;
  }

  boolean isCa() {
    return this == ROOT_CA;
  }
}
