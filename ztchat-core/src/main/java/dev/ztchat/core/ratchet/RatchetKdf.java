package dev.ztchat.core.ratchet;

import dev.ztchat.core.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ratchet's key derivations and its per-message AEAD (docs/v2/ratchet.md section 4): KDF_RK,
 * KDF_CK and ENCRYPT/DECRYPT of Signal's Double Ratchet specification (revision 3, section 5.2),
 * with the labels that keep every derived key distinct.
 */
final class RatchetKdf {
  /** Length of root keys, chain keys and message keys. */
  static final int KEY_BYTES = 32;

  static final int GCM_TAG_BYTES = 16;

  static final byte[] ROOT_LABEL = label("ztchat v2 ratchet root");
  static final byte[] ROOT_PQ_LABEL = label("ztchat v2 ratchet root pq");
  static final byte[] MESSAGE_LABEL = label("ztchat v2 ratchet message");

  /** HMAC input for the message key (Signal's recommended constant). */
  static final byte MESSAGE_KEY_CONSTANT = 0x01;

  /** HMAC input for the next chain key. */
  static final byte CHAIN_KEY_CONSTANT = 0x02;

  private static final int AES_KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;

  /** A new root key and the chain key that came with it. */
  record RootStep(byte[] rootKey, byte[] chainKey) {}

  /** A message key and the chain key that follows. */
  record ChainStep(byte[] messageKey, byte[] nextChainKey) {}

  /**
   * One HMAC and one AES-GCM engine per thread, initialised afresh with each key: looking them up
   * in the providers for every message was a measurable share of its cost. Never shared between
   * threads.
   */
  private static final ThreadLocal<Mac> HMAC =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Mac.getInstance("HmacSHA256");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("this JDK has no HmacSHA256", e);
            }
          });

  private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(RatchetKdf::newCipher);

  private RatchetKdf() {}

  /**
   * KDF_RK: HKDF-SHA256 with the root key as salt, the DH output (followed by the ML-KEM shared
   * secret when {@code kemSecret} is not null) as input key material, 64 bytes out.
   */
  static RootStep root(byte[] rootKey, byte[] dhOutput, byte[] kemSecret) {
    byte[] ikm = kemSecret == null ? dhOutput.clone() : concat(dhOutput, kemSecret);
    byte[] out = Hkdf.derive(rootKey, ikm, kemSecret == null ? ROOT_LABEL : ROOT_PQ_LABEL, 64);
    try {
      return new RootStep(
          Arrays.copyOfRange(out, 0, KEY_BYTES), Arrays.copyOfRange(out, KEY_BYTES, 64));
    } finally {
      Arrays.fill(ikm, (byte) 0);
      Arrays.fill(out, (byte) 0);
    }
  }

  /** KDF_CK: HMAC-SHA256 keyed with the chain key over one constant byte for each output. */
  static ChainStep chain(byte[] chainKey) {
    try {
      Mac mac = HMAC.get();
      mac.init(new SecretKeySpec(chainKey, "HmacSHA256"));
      mac.update(MESSAGE_KEY_CONSTANT);
      byte[] messageKey = mac.doFinal();
      mac.update(CHAIN_KEY_CONSTANT);
      byte[] next = mac.doFinal();
      return new ChainStep(messageKey, next);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no HmacSHA256", e);
    }
  }

  /** AES-256-GCM under the key and nonce derived from {@code messageKey}. */
  static byte[] seal(byte[] messageKey, byte[] associatedData, byte[] plaintext) {
    try {
      return cipher(Cipher.ENCRYPT_MODE, messageKey, associatedData).doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM failed", e);
    }
  }

  /**
   * The plaintext of {@code ciphertext}, or a {@link RatchetException} with {@code NOT_AUTHENTIC}
   * when the tag does not verify.
   */
  static byte[] open(byte[] messageKey, byte[] associatedData, byte[] ciphertext)
      throws RatchetException {
    try {
      return cipher(Cipher.DECRYPT_MODE, messageKey, associatedData).doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new RatchetException(RatchetException.Reason.NOT_AUTHENTIC, "the tag does not verify");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM failed", e);
    }
  }

  /** The 32-byte AES key followed by the 12-byte nonce that {@code messageKey} gives. */
  static byte[] aeadKeyAndNonce(byte[] messageKey) {
    return Hkdf.derive(new byte[KEY_BYTES], messageKey, MESSAGE_LABEL, AES_KEY_BYTES + NONCE_BYTES);
  }

  private static Cipher cipher(int mode, byte[] messageKey, byte[] associatedData)
      throws GeneralSecurityException {
    byte[] keyAndNonce = aeadKeyAndNonce(messageKey);
    try {
      SecretKeySpec key = new SecretKeySpec(keyAndNonce, 0, AES_KEY_BYTES, "AES");
      GCMParameterSpec nonce =
          new GCMParameterSpec(GCM_TAG_BYTES * 8, keyAndNonce, AES_KEY_BYTES, NONCE_BYTES);
      Cipher cipher = GCM.get();
      try {
        cipher.init(mode, key, nonce);
      } catch (InvalidAlgorithmParameterException e) {
        // The JDK's engine refuses to encrypt twice in a row under one key and nonce. That happens
        // legitimately: a message sealed from the stored state and then not sent (too large for
        // the relay) is sealed again from that same state, and its first ciphertext was never
        // released. A fresh engine takes it; the state rules keep a released key from reuse.
        cipher = newCipher();
        GCM.set(cipher);
        cipher.init(mode, key, nonce);
      }
      cipher.updateAAD(associatedData);
      return cipher;
    } finally {
      Arrays.fill(keyAndNonce, (byte) 0);
    }
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no AES/GCM/NoPadding", e);
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] label(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
