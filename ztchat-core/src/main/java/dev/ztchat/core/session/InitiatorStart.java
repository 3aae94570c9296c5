package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.X25519;
import java.util.Arrays;

/**
 * What the initiator's side of a session setup yields: the 32-byte shared secret {@code SK}, the
 * 32-byte associated data {@code AD} (SHA-256 of the transcript), the responder's signed-prekey
 * public key that starts the initiator's ratchet (Double Ratchet spec section 3.3), and the header
 * to put on the first message. Call {@link #destroy()} once the ratchet holds {@code SK}.
 */
public record InitiatorStart(
    byte[] sk, byte[] ad, byte[] responderRatchetKey, InitialMessageHeader header) {
  public InitiatorStart {
    requireNonNull(header, "header");
    if (sk.length != 32 || ad.length != 32 || responderRatchetKey.length != X25519.KEY_BYTES) {
      throw new IllegalArgumentException("SK, AD and the ratchet key are 32 bytes each");
    }
    sk = sk.clone();
    ad = ad.clone();
    responderRatchetKey = responderRatchetKey.clone();
  }

  @Override
  public byte[] sk() {
    return sk.clone();
  }

  @Override
  public byte[] ad() {
    return ad.clone();
  }

  @Override
  public byte[] responderRatchetKey() {
    return responderRatchetKey.clone();
  }

  /** Overwrites {@code SK} with zeros. */
  public void destroy() {
    Arrays.fill(sk, (byte) 0);
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return "InitiatorStart[" + header + "]";
  }
}
