package dev.ztchat.core.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import javax.crypto.KDF;
import javax.crypto.spec.HKDFParameterSpec;

/**
 * HKDF with SHA-256 (RFC 5869), extract then expand, over the JDK's {@link KDF} API. Every key the
 * v2 protocol derives goes through here, each with its own {@code info} label.
 */
public final class Hkdf {
  /** SHA-256's output length, the natural length of a salt and of a pseudorandom key. */
  public static final int HASH_BYTES = 32;

  /** The longest output RFC 5869 allows with SHA-256 (255 blocks). */
  public static final int MAX_OUTPUT_BYTES = 255 * HASH_BYTES;

  /**
   * One KDF engine per thread: looking the algorithm up in the providers on every derivation was a
   * measurable share of a v2 message's cost. An engine is never shared between threads.
   */
  private static final ThreadLocal<KDF> ENGINE = ThreadLocal.withInitial(Hkdf::newEngine);

  private Hkdf() {}

  private static KDF newEngine() {
    try {
      return KDF.getInstance("HKDF-SHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no HKDF-SHA256", e);
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
    try {
      return ENGINE
          .get()
          .deriveData(
              HKDFParameterSpec.ofExtract()
                  .addIKM(ikm)
                  .addSalt(salt.length == 0 ? new byte[HASH_BYTES] : salt)
                  .thenExpand(info, length));
    } catch (InvalidAlgorithmParameterException e) {
      throw new IllegalArgumentException("bad HKDF input", e);
    }
  }
}
