package dev.ztchat.core.envelope;

import dev.ztchat.core.crypto.CipherParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The envelope's algorithms (docs/PROTOCOL.md, section 6): AES-256-GCM and RSA-OAEP with the
 * parameters of {@link CipherParameters}; RSASSA-PSS with SHA-256, MGF1-SHA-256, a 32-byte salt and
 * trailer field 1, named here.
 *
 * <p>The RSA operations run on {@link RsaProvider#preferred()} (BoringSSL when it loads, else the
 * JDK); the overloads taking an {@link RsaProvider} exist so tests can check that both produce and
 * accept the same bytes.
 *
 * <p>Warning: these are raw primitives. They check nothing about who may use a key; only the sealer
 * and the opener, which apply the protocol's checks around them, call them.
 */
final class EnvelopeAlgorithms {
  /** AES-256 content key length in bytes. */
  static final int CONTENT_KEY_BYTES = CipherParameters.AES_KEY_BYTES;

  /** AES-GCM tag length in bits. */
  static final int GCM_TAG_BITS = CipherParameters.GCM_TAG_BITS;

  static final String AES_GCM = CipherParameters.AES_GCM;
  static final String RSA_OAEP = CipherParameters.RSA_OAEP;
  static final String RSA_PSS = "RSASSA-PSS";

  static final OAEPParameterSpec OAEP_PARAMS = CipherParameters.OAEP_PARAMS;

  static final PSSParameterSpec PSS_PARAMS =
      new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);

  private static final SecureRandom RANDOM = new SecureRandom();

  private EnvelopeAlgorithms() {}

  /** {@code n} bytes from the system's cryptographically strong generator. */
  static byte[] randomBytes(int n) {
    byte[] out = new byte[n];
    RANDOM.nextBytes(out);
    return out;
  }

  /** AES-256-GCM encryption; the result is the ciphertext followed by the 16-byte tag. */
  static byte[] gcmEncrypt(byte[] contentKey, byte[] nonce, byte[] aad, byte[] plaintext) {
    try {
      Cipher cipher = gcm(Cipher.ENCRYPT_MODE, contentKey, nonce);
      cipher.updateAAD(aad);
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw unavailable(AES_GCM, e);
    }
  }

  /**
   * AES-256-GCM decryption. Returns the plaintext only if the tag verifies over {@code aad} and the
   * ciphertext; otherwise throws {@link AEADBadTagException} and no plaintext exists.
   */
  static byte[] gcmDecrypt(byte[] contentKey, byte[] nonce, byte[] aad, byte[] ciphertext)
      throws AEADBadTagException {
    try {
      Cipher cipher = gcm(Cipher.DECRYPT_MODE, contentKey, nonce);
      cipher.updateAAD(aad);
      return cipher.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw unavailable(AES_GCM, e);
    }
  }

  /** Wraps a content key for one recipient encryption key with RSA-OAEP (randomized). */
  static byte[] oaepWrap(PublicKey recipientKey, byte[] contentKey) {
    return oaepWrap(RsaProvider.preferred(), recipientKey, contentKey);
  }

  static byte[] oaepWrap(RsaProvider rsa, PublicKey recipientKey, byte[] contentKey) {
    try {
      Cipher cipher = rsa.oaep();
      cipher.init(Cipher.ENCRYPT_MODE, recipientKey, OAEP_PARAMS, RANDOM);
      return cipher.doFinal(contentKey);
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("recipient key cannot be used with RSA-OAEP", e);
    } catch (GeneralSecurityException e) {
      throw unavailable(RSA_OAEP, e);
    }
  }

  /**
   * Unwraps a content key with RSA-OAEP. Every failure (bad padding, wrong length, a key that does
   * not fit) is the same {@link BadPaddingException}, so callers cannot tell them apart either.
   */
  static byte[] oaepUnwrap(PrivateKey myKey, byte[] wrapped) throws BadPaddingException {
    return oaepUnwrap(RsaProvider.preferred(), myKey, wrapped);
  }

  static byte[] oaepUnwrap(RsaProvider rsa, PrivateKey myKey, byte[] wrapped)
      throws BadPaddingException {
    RsaProvider.Bound bound = rsa.bind(myKey);
    Cipher cipher;
    try {
      cipher = bound.provider().oaep();
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw unavailable(RSA_OAEP, e);
    }
    try {
      cipher.init(Cipher.DECRYPT_MODE, bound.key(), OAEP_PARAMS);
      byte[] key = cipher.doFinal(wrapped);
      if (key.length != CONTENT_KEY_BYTES) {
        Arrays.fill(key, (byte) 0);
        throw new BadPaddingException("unwrap failed");
      }
      return key;
    } catch (InvalidKeyException
        | InvalidAlgorithmParameterException
        | IllegalBlockSizeException
        | BadPaddingException
        | RuntimeException e) {
      // RuntimeException: a native provider may signal a malformed input that way; it is the same
      // failure to the caller.
      throw new BadPaddingException("unwrap failed");
    }
  }

  /** An RSASSA-PSS signature over {@code data}. */
  static byte[] pssSign(PrivateKey signingKey, byte[] data) {
    return pssSign(RsaProvider.preferred(), signingKey, data);
  }

  static byte[] pssSign(RsaProvider rsa, PrivateKey signingKey, byte[] data) {
    RsaProvider.Bound bound = rsa.bind(signingKey);
    try {
      Signature signer = bound.provider().pss();
      signer.setParameter(PSS_PARAMS);
      signer.initSign(bound.key(), RANDOM);
      signer.update(data);
      return signer.sign();
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("signing key cannot be used with RSASSA-PSS", e);
    } catch (GeneralSecurityException e) {
      throw unavailable(RSA_PSS, e);
    }
  }

  /** True only when {@code signature} is a valid RSASSA-PSS signature over {@code data}. */
  static boolean pssVerify(PublicKey signerKey, byte[] data, byte[] signature) {
    return pssVerify(RsaProvider.preferred(), signerKey, data, signature);
  }

  static boolean pssVerify(RsaProvider rsa, PublicKey signerKey, byte[] data, byte[] signature) {
    try {
      Signature verifier = rsa.pss();
      verifier.setParameter(PSS_PARAMS);
      verifier.initVerify(signerKey);
      verifier.update(data);
      return verifier.verify(signature);
    } catch (InvalidKeyException | SignatureException e) {
      // A key of the wrong type or a signature of the wrong length: not a valid signature.
      return false;
    } catch (GeneralSecurityException e) {
      throw unavailable(RSA_PSS, e);
    }
  }

  private static Cipher gcm(int mode, byte[] contentKey, byte[] nonce)
      throws GeneralSecurityException {
    if (contentKey.length != CONTENT_KEY_BYTES) {
      throw new IllegalArgumentException("content key must be " + CONTENT_KEY_BYTES + " bytes");
    }
    if (nonce.length != SealedEnvelope.NONCE_BYTES) {
      throw new IllegalArgumentException("nonce must be " + SealedEnvelope.NONCE_BYTES + " bytes");
    }
    Cipher cipher = Cipher.getInstance(AES_GCM);
    cipher.init(
        mode, new SecretKeySpec(contentKey, "AES"), new GCMParameterSpec(GCM_TAG_BITS, nonce));
    return cipher;
  }

  private static IllegalStateException unavailable(String algorithm, Exception cause) {
    return new IllegalStateException(algorithm + " is unavailable", cause);
  }
}
