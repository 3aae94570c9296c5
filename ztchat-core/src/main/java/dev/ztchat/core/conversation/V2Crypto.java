package dev.ztchat.core.conversation;

import dev.ztchat.core.crypto.CipherParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The version-2 message's derivations and content encryption (docs/v2/messages.md section 4), on
 * the JDK's SHA-256 and AES/GCM/NoPadding; one place for the labels and the layouts of the
 * associated data.
 */
final class V2Crypto {
  /** Label of the session id derivation. */
  static final byte[] SESSION_ID_LABEL = "ztchat v2 session id".getBytes(StandardCharsets.US_ASCII);

  /** First byte of the ratchet plaintext (its format). */
  static final int KEY_PLAINTEXT_FORMAT = 1;

  /** Length of the content key. */
  static final int CONTENT_KEY_BYTES = CipherParameters.AES_KEY_BYTES;

  /**
   * One AES-GCM engine per thread, initialised afresh for every use (a provider lookup per message
   * was a measurable share of its cost); never shared between threads.
   */
  private static final ThreadLocal<Cipher> GCM =
      ThreadLocal.withInitial(() -> newCipher(CipherParameters.AES_GCM));

  private V2Crypto() {}

  /** A new engine for {@code transformation}; the JDK always has AES/GCM/NoPadding. */
  private static Cipher newCipher(String transformation) {
    try {
      return Cipher.getInstance(transformation);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(transformation + " is unavailable in this JDK", e);
    }
  }

  /** session_id = first 16 bytes of SHA-256("ztchat v2 session id" || AD). */
  static byte[] sessionId(byte[] ad) {
    return Arrays.copyOf(sha256(concat(SESSION_ID_LABEL, ad)), StoredSession.SESSION_ID_BYTES);
  }

  /** The content's associated data: encoded prefix || sender_device. */
  static byte[] contentAad(byte[] encodedPrefix, byte[] senderDevice) {
    return concat(encodedPrefix, senderDevice);
  }

  /** The ratchet's extra AD: encoded prefix || sender_device || recipient_device || session_id. */
  static byte[] ratchetExtraAd(
      byte[] encodedPrefix, byte[] senderDevice, byte[] recipientDevice, byte[] sessionId) {
    return concat(encodedPrefix, senderDevice, recipientDevice, sessionId);
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
    }
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  static byte[] gcmEncrypt(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    try {
      Cipher c = gcm(Cipher.ENCRYPT_MODE, key, nonce);
      c.updateAAD(aad);
      return c.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
    }
  }

  /**
   * Decrypts and authenticates; {@link AEADBadTagException} when the tag does not verify (the
   * caller maps it to one reason with no detail).
   */
  static byte[] gcmDecrypt(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext)
      throws AEADBadTagException {
    try {
      Cipher c = gcm(Cipher.DECRYPT_MODE, key, nonce);
      c.updateAAD(aad);
      return c.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
    }
  }

  private static Cipher gcm(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
    Cipher c = GCM.get();
    c.init(
        mode,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(CipherParameters.GCM_TAG_BITS, nonce));
    return c;
  }
}
