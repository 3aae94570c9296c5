package dev.ztchat.core.pki;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * What a certificate is for, and the X.509 extensions that say so. One place for the policy: the
 * issuer writes these extensions and {@link CertificateVerifier} demands them.
 */
public enum CertificateRole {
  /** The organisation's root CA: signs certificates and CRLs. */
  ROOT_CA(KeyUsage.keyCertSign | KeyUsage.cRLSign, null),
  /** The relay's TLS server certificate. */
  SERVER(KeyUsage.digitalSignature, KeyPurposeId.id_kp_serverAuth),
  /** A user's signing certificate: TLS client authentication and message signatures. */
  USER_SIGNING(KeyUsage.digitalSignature, KeyPurposeId.id_kp_clientAuth),
  /** A user's encryption certificate: only receives RSA-OAEP wrapped content keys. */
  USER_ENCRYPTION(KeyUsage.keyEncipherment, null);

  private final int keyUsage;
  @SuppressWarnings("ImmutableEnumChecker") // KeyPurposeId is an immutable ASN.1 identifier
  private final KeyPurposeId extendedKeyUsage;

  CertificateRole(int keyUsage, KeyPurposeId extendedKeyUsage) {
    this.keyUsage = keyUsage;
    this.extendedKeyUsage = extendedKeyUsage;
  }

  /** Bouncy Castle key usage bits for this role. */
  int keyUsageBits() {
    return keyUsage;
  }

  /** The extended key usage this role carries, or {@code null} for none. */
  KeyPurposeId extendedKeyUsage() {
    return extendedKeyUsage;
  }

  /** Index into {@link java.security.cert.X509Certificate#getKeyUsage()} that must be set. */
  int requiredJdkKeyUsageIndex() {
    return switch (this) {
      case ROOT_CA -> 5; // keyCertSign
      case SERVER, USER_SIGNING -> 0; // digitalSignature
      case USER_ENCRYPTION -> 2; // keyEncipherment
    };
  }

  /** The EKU OID this role requires, or {@code null}. */
  String requiredExtendedKeyUsageOid() {
    return extendedKeyUsage == null ? null : extendedKeyUsage.getId();
  }

  boolean isCa() {
    return this == ROOT_CA;
  }
}
