package dev.ztchat.core.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with SHA-256 (RFC 5869), extract then expand. Every key the v2 protocol derives goes through
 * here, each with its own {@code info} label.
 *
 * <p>Both steps are the JDK's HMAC-SHA256 exactly as RFC 5869 section 2 composes them ({@code PRK =
 * HMAC(salt, IKM)}; {@code T(i) = HMAC(PRK, T(i-1) || info || i)}), on one engine per thread: the
 * JDK's {@code KDF} object builds its parameter objects and two HMAC engines on every derivation,
 * which was a measurable share of a v2 message's cost (two derivations per message). {@code
 * HkdfTest} checks the output against RFC 5869's test cases and against the JDK's own HKDF. The
 * pseudorandom key and the output blocks are zeroed once used.
 */
public final class Hkdf {
  /** SHA-256's output length, the natural length of a salt and of a pseudorandom key. */
  public static final int HASH_BYTES = 32;

  /** The longest output RFC 5869 allows with SHA-256 (255 blocks). */
  public static final int MAX_OUTPUT_BYTES = 255 * HASH_BYTES;

  private static final String HMAC = "HmacSHA256";

  private static final byte[] ZERO_SALT = new byte[HASH_BYTES];

  /** One HMAC engine per thread, initialised afresh with each key; never shared between threads. */
  private static final ThreadLocal<Mac> ENGINE = ThreadLocal.withInitial(() -> newEngine(null));

  /**
   * One HMAC engine per thread keyed once with the all-zero salt, which most derivations use (the
   * message keys, the session secret): it stays keyed between uses, so their extract step costs one
   * HMAC and no key set-up.
   */
  private static final ThreadLocal<Mac> ZERO_SALT_ENGINE =
      ThreadLocal.withInitial(() -> newEngine(ZERO_SALT));

  private Hkdf() {}

  private static Mac newEngine(byte[] key) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      if (key != null) {
        mac.init(new SecretKeySpec(key, HMAC));
      }
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no " + HMAC, e);
    }
  }

  /**
   * HKDF-SHA256(salt, ikm, info, length). An empty {@code salt} means RFC 5869's default, a string
   * of {@link #HASH_BYTES} zero bytes.
   *
   * @throws IllegalArgumentException when {@code length} is not 1 to {@link #MAX_OUTPUT_BYTES}
   */
  public static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
    if (length < 1 || length > MAX_OUTPUT_BYTES) {
      throw new IllegalArgumentException(
          "HKDF-SHA256 output is 1 to " + MAX_OUTPUT_BYTES + " bytes");
    }
    Mac mac = ENGINE.get();
    byte[] prk = new byte[HASH_BYTES];
    byte[] block = new byte[HASH_BYTES];
    byte[] out = new byte[length];
    try {
      // Comparing a secret salt (a root key) with zeros in constant time reveals nothing.
      boolean zeroSalt = salt.length == 0 || MessageDigest.isEqual(salt, ZERO_SALT);
      Mac extract = zeroSalt ? ZERO_SALT_ENGINE.get() : mac;
      if (!zeroSalt) {
        mac.init(new SecretKeySpec(salt, HMAC));
      }
      extract.update(ikm);
      extract.doFinal(prk, 0);
      mac.init(new SecretKeySpec(prk, HMAC));
      for (int i = 1, done = 0; done < length; i++, done += HASH_BYTES) {
        if (i > 1) {
          mac.update(block);
        }
        mac.update(info);
        mac.update((byte) i);
        mac.doFinal(block, 0);
        System.arraycopy(block, 0, out, done, Math.min(HASH_BYTES, length - done));
      }
      return out;
    } catch (GeneralSecurityException e) {
      ZERO_SALT_ENGINE.get().reset();
      throw new IllegalStateException("HKDF-SHA256 failed", e);
    } finally {
      Arrays.fill(prk, (byte) 0);
      Arrays.fill(block, (byte) 0);
    }
  }
}
