package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.BoringSslProvider;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a certificate is one the organisation's root CA issued for a given name and role,
 * valid at a given instant. Every certificate a client receives (from the directory, or inside an
 * envelope) goes through here before its key is used.
 *
 * <p>Security guarantees: a certificate passes only if it is signed by the configured root CA
 * (directly; ztchat has no intermediates), is within its validity period at the instant given,
 * carries the key usage and extended key usage of the requested {@link CertificateRole}, is not a
 * CA, has a key ztchat accepts for the role (v1 user certificates: RSA of at least {@link
 * CertificateIssuer#MIN_KEY_BITS} bits, because the v1 envelope needs RSA-OAEP and RSASSA-PSS; v2
 * device certificates: ECDSA P-256 only, with a critical keyUsage; the server certificate: RSA or
 * ECDSA P-256), and names the expected subject in its CN. The root CA may hold an RSA or an ECDSA
 * P-256 key ({@link KeyType}); any other CA key is refused when the verifier is made. It does not
 * check revocation.
 */
public final class CertificateVerifier {
  private static final String KEY_USAGE_OID = "2.5.29.15";

  private final X509Certificate rootCa;

  /** BoringSSL, and the root CA's key in its form, for the signature check; null without it. */
  private final Provider fastProvider;

  private final PublicKey fastCaKey;

  /**
   * SHA-256 of the DER of certificates whose CA signature has been checked and found good: a
   * version-2 receiver checks the sender's certificate on every message, and the RSA-3072 CA
   * signature would otherwise be a third of the message's cost. Only the signature is remembered;
   * every other check runs each time. Bounded, least recently used first out.
   */
  private final Map<ByteBuffer, Boolean> goodSignatures =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
              return size() > SIGNATURE_CACHE_ENTRIES;
            }
          });

  /** How many certificates' good CA signatures are remembered. */
  static final int SIGNATURE_CACHE_ENTRIES = 1024;

  /**
   * @throws IllegalArgumentException when the root CA's key is of a type ztchat does not accept
   */
  public CertificateVerifier(X509Certificate rootCa) {
    this.rootCa = requireNonNull(rootCa, "rootCa");
    PublicKey caKey = rootCa.getPublicKey();
    KeyType.of(caKey);
    Provider provider = null;
    PublicKey translated = null;
    Optional<Provider> boringSsl = BoringSslProvider.get();
    if (boringSsl.isPresent()) {
      try {
        translated =
            (PublicKey)
                KeyFactory.getInstance(caKey.getAlgorithm(), boringSsl.get()).translateKey(caKey);
        provider = boringSsl.get();
      } catch (GeneralSecurityException | RuntimeException e) {
        translated = null; // the JDK checks signatures alone
      }
    }
    this.fastProvider = provider;
    this.fastCaKey = translated;
  }

  /** The name of the provider that checks signatures first ("BoringSSL" or the JDK's). */
  public String signatureProvider() {
    return fastProvider == null ? "JDK" : "BoringSSL";
  }

  /**
   * Whether our root CA signed {@code cert}. BoringSSL checks first when it loaded: a signature it
   * accepts is valid (the same standard check, SHA256withRSA or SHA256withECDSA over the same
   * bytes). When it does not accept one (a bad signature, or anything it does not support), the JDK
   * decides, so nothing the JDK alone would accept is refused for want of BoringSSL.
   */
  private boolean signedByRootCa(X509Certificate cert) {
    Optional<ByteBuffer> key = fingerprint(cert);
    if (key.isPresent() && goodSignatures.containsKey(key.get())) {
      return true;
    }
    boolean good = checkSignature(cert);
    if (good && key.isPresent()) {
      goodSignatures.put(key.get(), Boolean.TRUE);
    }
    return good;
  }

  private static Optional<ByteBuffer> fingerprint(X509Certificate cert) {
    try {
      return Optional.of(
          ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded())));
    } catch (GeneralSecurityException e) {
      return Optional.empty(); // not remembered: checked every time
    }
  }

  private boolean checkSignature(X509Certificate cert) {
    if (fastProvider != null) {
      try {
        cert.verify(fastCaKey, fastProvider);
        return true;
      } catch (GeneralSecurityException | RuntimeException e) {
        // decided by the JDK below
      }
    }
    try {
      cert.verify(rootCa.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  public X509Certificate rootCa() {
    return rootCa;
  }

  /**
   * Verifies {@code cert} and returns normally, or throws {@link CertificateRejectedException} with
   * a reason a user can read.
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
    if (!signedByRootCa(cert)) {
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
          "certificate for '"
              + subject
              + "' is not valid before "
              + cert.getNotBefore().toInstant());
    }
    if (cert.getBasicConstraints() >= 0) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' is a CA certificate");
    }
    if (!role.requiredKeyUsage().isSetIn(cert)) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' is not allowed for " + describe(role));
    }
    if (role == CertificateRole.USER_ENCRYPTION && KeyUsageBit.DIGITAL_SIGNATURE.isSetIn(cert)) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' is a signing key, not an encryption key");
    }
    if ((role == CertificateRole.USER_SIGNING || role == CertificateRole.DEVICE)
        && KeyUsageBit.KEY_ENCIPHERMENT.isSetIn(cert)) {
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
    if (role == CertificateRole.DEVICE && !keyUsageIsCritical(cert)) {
      throw new CertificateRejectedException(
          "certificate for '" + subject + "' does not mark its key usage critical");
    }
    checkKey(cert, subject, role);
    if (expectedName != null && !expectedName.equals(subject)) {
      throw new CertificateRejectedException(
          "certificate names '" + subject + "', not '" + expectedName + "'");
    }
  }

  private static boolean keyUsageIsCritical(X509Certificate cert) {
    var critical = cert.getCriticalExtensionOIDs();
    return critical != null && critical.contains(KEY_USAGE_OID);
  }

  private static void checkKey(X509Certificate cert, String subject, CertificateRole role)
      throws CertificateRejectedException {
    PublicKey key = cert.getPublicKey();
    if (role == CertificateRole.DEVICE) {
      if (isEc(key)) {
        return;
      }
      throw new CertificateRejectedException(
          "certificate for '"
              + subject
              + "' does not hold an ECDSA P-256 key, so it is no v2 device certificate");
    }
    if (key instanceof RSAPublicKey rsa
        && rsa.getModulus().bitLength() >= CertificateIssuer.MIN_KEY_BITS) {
      return;
    }
    if (role == CertificateRole.SERVER && isEc(key)) {
      return;
    }
    throw new CertificateRejectedException(
        "certificate for '"
            + subject
            + "' does not hold an RSA key of at least "
            + CertificateIssuer.MIN_KEY_BITS
            + " bits"
            + (role == CertificateRole.SERVER ? " or an ECDSA P-256 key" : ""));
  }

  private static boolean isEc(PublicKey key) {
    try {
      return KeyType.of(key) == KeyType.EC;
    } catch (IllegalArgumentException e) {
      return false;
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
      case DEVICE -> "a v2 device (signing and client authentication)";
    };
  }
}
