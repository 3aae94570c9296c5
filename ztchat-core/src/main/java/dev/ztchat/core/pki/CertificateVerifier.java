package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Decides whether a certificate is one the organisation's root CA issued for a given name and role,
 * valid at a given instant. Every certificate a client receives (from the directory, or inside an
 * envelope) goes through here before its key is used.
 *
 * <p>Security guarantees: a certificate passes only if it is signed by the configured root CA
 * (directly; ztchat has no intermediates), is within its validity period at the instant given,
 * carries the key usage and extended key usage of the requested {@link CertificateRole}, is not a
 * CA, has an RSA key of at least {@link CertificateIssuer#MIN_KEY_BITS} bits, and names the expected
 * subject in its CN. It does not check revocation.
 */
public final class CertificateVerifier {
  private final X509Certificate rootCa;

  public CertificateVerifier(X509Certificate rootCa) {
    this.rootCa = requireNonNull(rootCa, "rootCa");
  }

  public X509Certificate rootCa() {
    return rootCa;
  }

  /**
   * Verifies {@code cert} and returns normally, or throws {@link CertificateRejectedException} with a
   * reason a user can read.
   */
  public void verify(X509Certificate cert, String expectedName, CertificateRole role, Instant at)
      throws CertificateRejectedException {
    requireNonNull(cert, "cert");
    requireNonNull(role, "role");
    requireNonNull(at, "at");
    String subject = commonName(cert);
    if (!cert.getIssuerX500Principal().equals(rootCa.getSubjectX500Principal())) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' was not issued by our root CA");
    }
    try {
      cert.verify(rootCa.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' has a signature that our root CA did not make");
    }
    try {
      cert.checkValidity(Date.from(at));
    } catch (CertificateExpiredException e) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' expired on " + cert.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' is not valid before " + cert.getNotBefore().toInstant());
    }
    if (cert.getBasicConstraints() >= 0) {
      throw new CertificateRejectedException("certificate for '" + subject + "' is a CA certificate");
    }
    boolean[] usage = cert.getKeyUsage();
    if (usage == null || !usage[role.requiredJdkKeyUsageIndex()]) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' is not allowed for " + describe(role));
    }
    if (role == CertificateRole.USER_ENCRYPTION && usage[0]) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' is a signing key, not an encryption key");
    }
    if (role == CertificateRole.USER_SIGNING && usage.length > 2 && usage[2]) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' is an encryption key, not a signing key");
    }
    String eku = role.requiredExtendedKeyUsageOid();
    if (eku != null) {
      List<String> ekus;
      try {
        ekus = cert.getExtendedKeyUsage();
      } catch (CertificateParsingException e) {
        ekus = null;
      }
      if (ekus == null || !ekus.contains(eku)) {
        throw new CertificateRejectedException(
            "certificate for '" + subject + "' lacks the extended key usage for " + describe(role));
      }
    }
    if (!(cert.getPublicKey() instanceof RSAPublicKey rsa)
        || rsa.getModulus().bitLength() < CertificateIssuer.MIN_KEY_BITS) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' does not hold an RSA key of at least "
              + CertificateIssuer.MIN_KEY_BITS + " bits");
    }
    if (expectedName != null && !expectedName.equals(subject)) {
      throw new CertificateRejectedException(
          "certificate names '" + subject + "', not '" + expectedName + "'");
    }
  }

  /** The CN of a certificate's subject, or the empty string when it has none. */
  public static String commonName(X509Certificate cert) {
    return Certificates.commonName(cert);
  }

  private static String describe(CertificateRole role) {
    return switch (role) {
      case ROOT_CA -> "signing certificates";
      case SERVER -> "a TLS server";
      case USER_SIGNING -> "signing (client authentication)";
      case USER_ENCRYPTION -> "encryption (key transport)";
    };
  }
}
