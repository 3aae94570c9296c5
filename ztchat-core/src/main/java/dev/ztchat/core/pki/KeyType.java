package dev.ztchat.core.pki;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Locale;

/**
 * The key types ztchat's PKI issues and accepts for its root CA, the relay's server certificate and
 * v2 device certificates: RSA (2048 to 8192 bits) and ECDSA on P-256. One place for the policy:
 * which signature algorithm a key signs certificates and CRLs with, how a key of the type is made,
 * and how a key is recognised.
 *
 * <p>v1 user keys are always RSA: the v1 envelope (docs/PROTOCOL.md section 6) wraps content keys
 * with RSA-OAEP and signs with RSASSA-PSS, so a v1 user certificate with any other key is refused.
 * v2 device keys are always ECDSA P-256 (docs/v2/device-certificates.md).
 *
 * <p>Fails closed: a key that is neither RSA nor EC on P-256 (DSA, Ed25519, another curve) is
 * refused by {@link #of}, so nothing is ever signed or verified with an algorithm ztchat did not
 * choose.
 */
public enum KeyType {
  /** RSA keys; certificates and CRLs signed with SHA256withRSA (PKCS#1 v1.5). */
  RSA("rsa", "SHA256withRSA"),
  /** ECDSA keys on NIST P-256 (secp256r1); certificates and CRLs signed with SHA256withECDSA. */
  EC("ec", "SHA256withECDSA");

  /** The curve ztchat uses for EC keys (the only one it accepts). */
  public static final String EC_CURVE = "secp256r1";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ECParameterSpec P256 = p256();

  private final String option;
  private final String signatureAlgorithm;

  KeyType(String option, String signatureAlgorithm) {
    this.option = option;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** The value of {@code --key-type} that selects this type ({@code rsa} or {@code ec}). */
  public String option() {
    return option;
  }

  /** The JCA algorithm a key of this type signs certificates and CRLs with. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /**
   * The type named by a {@code --key-type} value, case-insensitively.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static KeyType fromOption(String value) {
    for (KeyType type : values()) {
      if (type.option.equals(value == null ? null : value.toLowerCase(Locale.ROOT))) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "--key-type '" + value + "' is not supported: use rsa (default) or ec (ECDSA P-256)");
  }

  /**
   * The type of {@code key} (public or private).
   *
   * @throws IllegalArgumentException when the key is neither RSA nor EC on P-256
   */
  public static KeyType of(Key key) {
    if (key instanceof RSAKey) {
      return RSA;
    }
    if (key instanceof ECKey ec && isP256(ec.getParams())) {
      return EC;
    }
    throw new IllegalArgumentException(
        "unsupported key type "
            + (key == null ? "(none)" : key.getAlgorithm())
            + ": ztchat accepts RSA keys and ECDSA keys on P-256 only");
  }

  /** The signature algorithm {@code signer} signs certificates and CRLs with. */
  public static String signatureAlgorithmFor(PrivateKey signer) {
    return of(signer).signatureAlgorithm;
  }

  /** A fresh key pair of this type; {@code rsaBits} is the RSA modulus size (ignored for EC). */
  public KeyPair generate(int rsaBits) {
    if (this == RSA) {
      return CertificateIssuer.generateRsaKeyPair(rsaBits);
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(EC_CURVE), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 key generation is unavailable in this JDK", e);
    }
  }

  /** How a key of this type is shown to people: {@code RSA-3072} or {@code ECDSA P-256}. */
  public String describe(int rsaBits) {
    return this == RSA ? "RSA-" + rsaBits : "ECDSA P-256";
  }

  /** How {@code key} is shown to people: {@code RSA-3072} or {@code ECDSA P-256}. */
  public static String describe(PublicKey key) {
    KeyType type = of(key);
    return type.describe(type == RSA ? ((RSAKey) key).getModulus().bitLength() : 0);
  }

  /**
   * True when {@code key} is the private key of {@code cert}'s public key. RSA keys are compared by
   * modulus; EC keys by signing a challenge and verifying it with the certificate's key. Keys of
   * unsupported types never match.
   */
  public static boolean matches(X509Certificate cert, PrivateKey key) {
    PublicKey pub = cert.getPublicKey();
    KeyType type;
    try {
      type = of(pub);
      if (of(key) != type) {
        return false;
      }
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (type == RSA) {
      return pub instanceof RSAPublicKey rsaPub
          && key instanceof RSAPrivateKey rsaPriv
          && rsaPub.getModulus().equals(rsaPriv.getModulus());
    }
    try {
      byte[] challenge = new byte[32];
      RANDOM.nextBytes(challenge);
      Signature signer = Signature.getInstance(type.signatureAlgorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(type.signatureAlgorithm);
      verifier.initVerify(pub);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean isP256(ECParameterSpec params) {
    return params != null
        && params.getCurve().equals(P256.getCurve())
        && params.getGenerator().equals(P256.getGenerator())
        && params.getOrder().equals(P256.getOrder())
        && params.getCofactor() == P256.getCofactor();
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec(EC_CURVE));
      return params.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
