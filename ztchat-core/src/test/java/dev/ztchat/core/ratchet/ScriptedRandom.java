package dev.ztchat.core.ratchet;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A {@link SecureRandom} for the test vector, for tests only: hands out the given byte strings in
 * order, each to one request of exactly its length, so the vector can publish every random input.
 */
final class ScriptedRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  private final Deque<byte[]> script = new ArrayDeque<>();

  ScriptedRandom() {
    super(new byte[0]);
  }

  ScriptedRandom then(byte[] bytes) {
    script.addLast(bytes.clone());
    return this;
  }

  @Override
  public synchronized void nextBytes(byte[] bytes) {
    byte[] next = script.pollFirst();
    if (next == null || next.length != bytes.length) {
      throw new IllegalStateException(
          "the vector's script has no " + bytes.length + "-byte value next");
    }
    System.arraycopy(next, 0, bytes, 0, bytes.length);
  }

  boolean isUsedUp() {
    return script.isEmpty();
  }
}
