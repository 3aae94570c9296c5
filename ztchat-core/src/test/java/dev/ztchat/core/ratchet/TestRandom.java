package dev.ztchat.core.ratchet;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A deterministic stand-in for {@link SecureRandom}, for tests only: byte i of the stream is byte i
 * of SHA-256(seed || block number) concatenated. Warning: predictable by design; never for keys
 * that protect anything.
 */
final class TestRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  private final long seed;
  private long block;

  TestRandom(long seed) {
    super(new byte[0]);
    this.seed = seed;
  }

  @Override
  public synchronized void nextBytes(byte[] bytes) {
    for (int i = 0; i < bytes.length; i += 32) {
      byte[] chunk = sha256(ByteBuffer.allocate(16).putLong(seed).putLong(block++).array());
      System.arraycopy(chunk, 0, bytes, i, Math.min(32, bytes.length - i));
    }
  }

  byte[] bytes(int length) {
    byte[] out = new byte[length];
    nextBytes(out);
    return out;
  }

  private static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
