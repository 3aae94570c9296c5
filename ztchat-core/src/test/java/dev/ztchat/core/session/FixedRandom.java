package dev.ztchat.core.session;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A SecureRandom that hands out exactly the given bytes, in order, and fails when they run out: so
 * a test knows how much randomness the JDK drew (FIPS 203's {@code d || z} for ML-KEM key
 * generation, {@code m} for encapsulation). For tests and published vectors only.
 */
final class FixedRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;
  private final byte[] bytes;
  private int pos;

  FixedRandom(byte[]... chunks) {
    int n = 0;
    for (byte[] c : chunks) {
      n += c.length;
    }
    bytes = new byte[n];
    int at = 0;
    for (byte[] c : chunks) {
      System.arraycopy(c, 0, bytes, at, c.length);
      at += c.length;
    }
  }

  @Override
  public synchronized void nextBytes(byte[] out) {
    if (bytes.length - pos < out.length) {
      throw new IllegalStateException("the fixed randomness is used up");
    }
    System.arraycopy(bytes, pos, out, 0, out.length);
    pos += out.length;
  }

  boolean usedUp() {
    return pos == bytes.length;
  }

  static byte[] counting(int from, int length) {
    return dev.ztchat.core.testing.DocumentedVector.counting(from, length);
  }

  @Override
  public String toString() {
    return "FixedRandom[" + (bytes.length - pos) + " left]";
  }

  @Override
  public boolean equals(Object o) {
    return o == this;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
