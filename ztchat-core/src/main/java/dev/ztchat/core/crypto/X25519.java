package dev.ztchat.core.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) over the JDK's "XDH" provider, with keys as the raw 32-byte strings the RFC and
 * the v2 protocol use on the wire.
 *
 * <p>Security guarantees: {@link #agree} refuses a peer key that gives the all-zero shared secret
 * (a low-order point, RFC 7748 section 6.1), so a hostile peer cannot force a known secret.
 */
public final class X25519 {
  /** Length of a public key, a private key and a shared secret, in bytes. */
  public static final int KEY_BYTES = 32;

  private static final String ALGORITHM = "X25519";

  // DER prefixes of the JDK's encodings of an X25519 key: SubjectPublicKeyInfo (RFC 8410 section
  // 4) and PKCS#8 OneAsymmetricKey with the key as an OCTET STRING (RFC 8410 section 7).
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b656e032100");
  private static final byte[] PKCS8_PREFIX =
      HexFormat.of().parseHex("302e020100300506032b656e04220420");

  /** An X25519 key pair: the JCA private key and the raw public key. */
  public record KeyPair(PrivateKey privateKey, byte[] publicKey) {
    public KeyPair {
      requireKeyBytes(publicKey, "public key");
      publicKey = publicKey.clone();
    }

    @Override
    public byte[] publicKey() {
      return publicKey.clone();
    }

    /** The raw 32-byte private key: only for serialising state that is itself protected. */
    public byte[] rawPrivateKey() {
      return X25519.rawPrivateKey(privateKey);
    }

    @Override
    public String toString() {
      return "X25519.KeyPair[public=" + HexFormat.of().formatHex(publicKey) + "]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof KeyPair k
          && Arrays.equals(publicKey, k.publicKey)
          && MessageDigest.isEqual(rawPrivateKey(), k.rawPrivateKey());
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(publicKey);
    }
  }

  private X25519() {}

  /** A fresh key pair, its private key drawn from {@code random}. */
  public static KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
      generator.initialize(NamedParameterSpec.X25519, random);
      java.security.KeyPair pair = generator.generateKeyPair();
      return new KeyPair(pair.getPrivate(), rawPublicKey(pair.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no X25519", e);
    }
  }

  /** The key pair whose raw private key is {@code rawPrivate} (32 bytes, clamped by X25519). */
  public static KeyPair fromPrivateKey(byte[] rawPrivate) {
    PrivateKey privateKey = privateKey(rawPrivate);
    return new KeyPair(privateKey, publicKeyOf(privateKey));
  }

  /**
   * The shared secret of {@code ours} and the raw public key {@code theirs}: 32 bytes.
   *
   * @throws InvalidKeyException when {@code theirs} is not 32 bytes or the result is all zeros
   */
  public static byte[] agree(PrivateKey ours, byte[] theirs) throws InvalidKeyException {
    if (theirs == null || theirs.length != KEY_BYTES) {
      throw new InvalidKeyException("an X25519 public key is " + KEY_BYTES + " bytes");
    }
    byte[] secret;
    try {
      KeyAgreement agreement = KeyAgreement.getInstance(ALGORITHM);
      agreement.init(ours);
      agreement.doPhase(publicKey(theirs), true);
      secret = agreement.generateSecret();
    } catch (InvalidKeyException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new InvalidKeyException("X25519 agreement failed", e);
    }
    if (MessageDigest.isEqual(secret, new byte[KEY_BYTES])) {
      throw new InvalidKeyException("X25519 agreement gave the all-zero secret (low-order point)");
    }
    return secret;
  }

  /** The JCA public key for the raw 32-byte {@code raw}. */
  public static PublicKey publicKey(byte[] raw) {
    requireKeyBytes(raw, "public key");
    return decodePublic(concat(SPKI_PREFIX, raw));
  }

  /** The JCA private key for the raw 32-byte {@code raw}. */
  public static PrivateKey privateKey(byte[] raw) {
    requireKeyBytes(raw, "private key");
    return decodePrivate(concat(PKCS8_PREFIX, raw));
  }

  /** The raw 32 bytes of an X25519 public key. */
  public static byte[] rawPublicKey(PublicKey key) {
    return strip(key.getEncoded(), SPKI_PREFIX, "public");
  }

  /** The raw 32 bytes of an X25519 private key. */
  public static byte[] rawPrivateKey(PrivateKey key) {
    byte[] encoded = key.getEncoded();
    try {
      return strip(encoded, PKCS8_PREFIX, "private");
    } finally {
      Arrays.fill(encoded, (byte) 0);
    }
  }

  private static byte[] publicKeyOf(PrivateKey privateKey) {
    try {
      // The public key is the agreement of the private key with the base point u = 9.
      byte[] basePoint = new byte[KEY_BYTES];
      basePoint[0] = 9;
      KeyAgreement agreement = KeyAgreement.getInstance(ALGORITHM);
      agreement.init(privateKey);
      agreement.doPhase(publicKey(basePoint), true);
      return agreement.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no X25519", e);
    }
  }

  private static PublicKey decodePublic(byte[] der) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an X25519 key", e);
    }
  }

  private static PrivateKey decodePrivate(byte[] der) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an X25519 key", e);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  private static byte[] strip(byte[] encoded, byte[] prefix, String what) {
    if (encoded == null
        || encoded.length != prefix.length + KEY_BYTES
        || !Arrays.equals(encoded, 0, prefix.length, prefix, 0, prefix.length)) {
      throw new IllegalArgumentException("not an X25519 " + what + " key");
    }
    return Arrays.copyOfRange(encoded, prefix.length, encoded.length);
  }

  private static void requireKeyBytes(byte[] raw, String what) {
    if (raw == null || raw.length != KEY_BYTES) {
      throw new IllegalArgumentException("an X25519 " + what + " is " + KEY_BYTES + " bytes");
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
