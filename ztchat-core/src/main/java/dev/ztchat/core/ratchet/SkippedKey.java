package dev.ztchat.core.ratchet;

import java.util.Arrays;

/**
 * The key of a message that has not arrived yet (docs/v2/ratchet.md section 6): kept so that the
 * message can still be opened when it arrives late, deleted when it is used, when it is older than
 * the acceptance window, or when newer skipped keys push it out.
 *
 * @param dh the ratchet public key of the chain the message belongs to
 * @param n the message's number in that chain
 * @param messageKey the message key
 * @param storedAtSecond when the key was stored, in seconds since the epoch
 */
record SkippedKey(byte[] dh, long n, byte[] messageKey, long storedAtSecond) {
  boolean isFor(byte[] chainKey, long number) {
    return n == number && Arrays.equals(dh, chainKey);
  }

  @Override
  public String toString() {
    return "SkippedKey[n=" + n + ", storedAtSecond=" + storedAtSecond + "]";
  }
}
