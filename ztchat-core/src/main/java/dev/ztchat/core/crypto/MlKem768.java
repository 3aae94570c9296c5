package dev.ztchat.core.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.DecapsulateException;
import javax.crypto.KEM;
import javax.crypto.SecretKey;

/**
 * ML-KEM-768 (FIPS 203) over the JDK's provider, with encapsulation keys and ciphertexts as the raw
 * byte strings FIPS 203 defines (1184 and 1088 bytes), which is what the v2 protocol puts on the
 * wire.
 *
 * <p>All randomness comes from the {@link SecureRandom} the caller passes: key generation draws
 * FIPS 203's seeds {@code d} and {@code z}, encapsulation draws {@code m}. A deterministic source
 * therefore reproduces keys and ciphertexts, which is how published test vectors are made.
 */
public final class MlKem768 {
  /** Length of an encapsulation (public) key, in bytes. */
  public static final int ENCAPSULATION_KEY_BYTES = 1184;

  /** Length of a ciphertext, in bytes. */
  public static final int CIPHERTEXT_BYTES = 1088;

  /** Length of the shared secret, in bytes. */
  public static final int SHARED_SECRET_BYTES = 32;

  private static final String ALGORITHM = "ML-KEM-768";

  // DER prefix of the JDK's SubjectPublicKeyInfo for ML-KEM-768 (OID 2.16.840.1.101.3.4.4.2).
  private static final byte[] SPKI_PREFIX =
      HexFormat.of().parseHex("308204b2300b0609608648016503040402038204a100");

  /** What encapsulation gives the sender: the ciphertext to send and the shared secret to keep. */
  public record Encapsulated(byte[] ciphertext, byte[] sharedSecret) {
    public Encapsulated {
      ciphertext = ciphertext.clone();
      sharedSecret = sharedSecret.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }

    @Override
    public byte[] sharedSecret() {
      return sharedSecret.clone();
    }

    @Override
    public String toString() {
      return "MlKem768.Encapsulated[" + ciphertext.length + "-byte ciphertext]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Encapsulated e
          && Arrays.equals(ciphertext, e.ciphertext)
          && java.security.MessageDigest.isEqual(sharedSecret, e.sharedSecret);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(ciphertext);
    }
  }

  private MlKem768() {}

  /** A fresh key pair, its seeds drawn from {@code random}. */
  public static KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
      generator.initialize(NamedParameterSpec.ML_KEM_768, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no ML-KEM-768", e);
    }
  }

  /**
   * Encapsulates a fresh shared secret to the raw encapsulation key {@code encapsulationKey}.
   *
   * @throws InvalidKeyException when the key is not a valid ML-KEM-768 encapsulation key (wrong
   *     length, or FIPS 203's modulus check fails)
   */
  public static Encapsulated encapsulate(byte[] encapsulationKey, SecureRandom random)
      throws InvalidKeyException {
    PublicKey key = publicKey(encapsulationKey);
    KEM.Encapsulated result;
    try {
      result = KEM.getInstance("ML-KEM").newEncapsulator(key, random).encapsulate();
    } catch (GeneralSecurityException e) {
      throw new InvalidKeyException("not a valid ML-KEM-768 encapsulation key", e);
    }
    byte[] secret = result.key().getEncoded();
    try {
      return new Encapsulated(result.encapsulation(), secret);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /**
   * The shared secret that {@code ciphertext} carries for {@code privateKey}. ML-KEM decapsulation
   * never reports a wrong ciphertext: it yields an unrelated secret (implicit rejection), so a
   * forged ciphertext shows up later, when the derived key fails to authenticate.
   *
   * @throws InvalidKeyException when the ciphertext is not 1088 bytes or the key is no ML-KEM-768
   *     private key
   */
  public static byte[] decapsulate(PrivateKey privateKey, byte[] ciphertext)
      throws InvalidKeyException {
    if (ciphertext == null || ciphertext.length != CIPHERTEXT_BYTES) {
      throw new InvalidKeyException("an ML-KEM-768 ciphertext is " + CIPHERTEXT_BYTES + " bytes");
    }
    try {
      SecretKey key = KEM.getInstance("ML-KEM").newDecapsulator(privateKey).decapsulate(ciphertext);
      return key.getEncoded();
    } catch (DecapsulateException e) {
      throw new InvalidKeyException("ML-KEM-768 decapsulation failed", e);
    } catch (GeneralSecurityException e) {
      throw new InvalidKeyException("not an ML-KEM-768 private key", e);
    }
  }

  /** The raw 1184-byte encapsulation key of {@code key}. */
  public static byte[] rawPublicKey(PublicKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded == null
        || encoded.length != SPKI_PREFIX.length + ENCAPSULATION_KEY_BYTES
        || !Arrays.equals(encoded, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
      throw new IllegalArgumentException("not an ML-KEM-768 public key");
    }
    return Arrays.copyOfRange(encoded, SPKI_PREFIX.length, encoded.length);
  }

  /**
   * The JCA public key for the raw encapsulation key {@code raw}.
   *
   * @throws InvalidKeyException when {@code raw} is not a valid ML-KEM-768 encapsulation key
   */
  public static PublicKey publicKey(byte[] raw) throws InvalidKeyException {
    if (raw == null || raw.length != ENCAPSULATION_KEY_BYTES) {
      throw new InvalidKeyException(
          "an ML-KEM-768 encapsulation key is " + ENCAPSULATION_KEY_BYTES + " bytes");
    }
    byte[] der = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + raw.length);
    System.arraycopy(raw, 0, der, SPKI_PREFIX.length, raw.length);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new InvalidKeyException("not a valid ML-KEM-768 encapsulation key", e);
    }
  }

  /**
   * The PKCS#8 encoding of an ML-KEM-768 private key, for storing state that is itself protected.
   */
  public static byte[] encodedPrivateKey(PrivateKey key) {
    if (!ALGORITHM.equals(key.getAlgorithm()) && !"ML-KEM".equals(key.getAlgorithm())) {
      throw new IllegalArgumentException("not an ML-KEM-768 private key");
    }
    return key.getEncoded();
  }

  /**
   * The private key whose PKCS#8 encoding is {@code pkcs8}.
   *
   * @throws InvalidKeyException when it is not an ML-KEM-768 private key
   */
  public static PrivateKey privateKey(byte[] pkcs8) throws InvalidKeyException {
    try {
      PrivateKey key =
          KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      return key;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new InvalidKeyException("not an ML-KEM-768 private key", e);
    }
  }
}
