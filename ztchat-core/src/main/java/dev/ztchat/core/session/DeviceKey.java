package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;

/**
 * A device's CA-certified ECDSA P-256 signing key with its certificate: what signs its prekeys and
 * the initial messages it sends (SHA256withECDSA). The caller has verified the certificate's chain;
 * this class checks only that it holds a P-256 key and that the private key matches it.
 */
public final class DeviceKey {

  /** Longest DER encoding of a P-256 ECDSA signature. */
  public static final int MAX_SIGNATURE_LENGTH = 72;

  /** Shortest DER encoding accepted (SEQUENCE of two one-byte INTEGERs). */
  public static final int MIN_SIGNATURE_LENGTH = 8;

  private static final BigInteger P256_ORDER = p256Order();

  private final EcdsaProvider.Bound privateKey;
  private final X509Certificate certificate;
  private final byte[] certificateHash;

  /**
   * @throws SessionSetupException ({@link SessionSetupException.Reason#BAD_DEVICE_KEY}) when the
   *     certificate's key is not P-256 or {@code privateKey} is not its private half
   */
  public DeviceKey(PrivateKey privateKey, X509Certificate certificate)
      throws SessionSetupException {
    requireNonNull(privateKey, "privateKey");
    this.certificate = requireNonNull(certificate, "certificate");
    requireP256(certificate);
    this.privateKey = EcdsaProvider.bind(privateKey);
    this.certificateHash = certificateHash(certificate);
    byte[] probe =
        "ztchat-v2-device-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] signature;
    try {
      signature = sign(probe, new SecureRandom());
    } catch (IllegalStateException e) {
      throw new SessionSetupException(
          SessionSetupException.Reason.BAD_DEVICE_KEY, "the device key cannot sign", e);
    }
    if (!verify(certificate, probe, signature)) {
      throw new SessionSetupException(
          SessionSetupException.Reason.BAD_DEVICE_KEY,
          "the device private key does not match its certificate");
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** SHA-256 of the certificate's DER encoding. */
  public byte[] certificateHash() {
    return certificateHash.clone();
  }

  /**
   * Signs the signed bytes of a version-2 envelope (docs/v2/envelope.md section 2.2): they start
   * with the version byte 2, which no other input this key signs does (those start with an ASCII
   * label), so an envelope signature cannot be taken for a prekey or session signature.
   */
  public byte[] signEnvelope(byte[] signedBytes, SecureRandom random) {
    requireEnvelope(signedBytes);
    return sign(signedBytes, requireNonNull(random, "random"));
  }

  /**
   * Verifies a version-2 envelope's signature by {@code certificate}'s key; false on any failure.
   */
  public static boolean verifyEnvelope(
      X509Certificate certificate, byte[] signedBytes, byte[] signature) {
    requireEnvelope(signedBytes);
    return verify(certificate, signedBytes, signature);
  }

  /**
   * As {@link #verifyEnvelope(X509Certificate, byte[], byte[])}, over the first {@code
   * signedLength} bytes of {@code envelope}: the signed bytes of an encoded envelope are its start
   * (docs/v2/envelope.md section 2), so they are checked where they are, not copied out.
   */
  public static boolean verifyEnvelope(
      X509Certificate certificate, byte[] envelope, int signedLength, byte[] signature) {
    if (signedLength < 1 || signedLength > envelope.length || envelope[0] != 2) {
      throw new IllegalArgumentException("not the signed bytes of a version-2 envelope");
    }
    try {
      return EcdsaProvider.verify(certificate.getPublicKey(), envelope, 0, signedLength, signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static void requireEnvelope(byte[] signedBytes) {
    if (signedBytes.length == 0 || signedBytes[0] != 2) {
      throw new IllegalArgumentException("not the signed bytes of a version-2 envelope");
    }
  }

  byte[] sign(byte[] data, SecureRandom random) {
    try {
      return EcdsaProvider.sign(privateKey, data, random);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the device key", e);
    }
  }

  /** Verifies a SHA256withECDSA signature by the certificate's key; false on any failure. */
  static boolean verify(X509Certificate certificate, byte[] data, byte[] signature) {
    try {
      return EcdsaProvider.verify(certificate.getPublicKey(), data, signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Refuses a certificate whose key is not ECDSA P-256. */
  static void requireP256(X509Certificate certificate) throws SessionSetupException {
    PublicKey key = certificate.getPublicKey();
    if (!(key instanceof ECPublicKey ec)
        || ec.getParams().getCurve().getField().getFieldSize() != 256
        || !ec.getParams().getOrder().equals(P256_ORDER)) {
      throw new SessionSetupException(
          SessionSetupException.Reason.BAD_DEVICE_KEY,
          "the device certificate does not hold an ECDSA P-256 key");
    }
  }

  static byte[] certificateHash(X509Certificate certificate) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("the certificate cannot be encoded", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
    }
  }

  private static BigInteger p256Order() {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec("secp256r1"));
      return p.getParameterSpec(ECParameterSpec.class).getOrder();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no P-256", e);
    }
  }

  @Override
  public String toString() {
    return "DeviceKey[" + certificate.getSubjectX500Principal() + "]";
  }
}
