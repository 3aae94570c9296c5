package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.X25519;
import java.util.Arrays;

/**
 * What the responder's side of a session setup yields: the same {@code SK} and {@code AD} as the
 * initiator's, and the key pair of the signed prekey the initiator used, which starts the
 * responder's ratchet (Double Ratchet spec section 3.3). Call {@link #destroy()} once the ratchet
 * holds {@code SK}.
 */
public record ResponderStart(byte[] sk, byte[] ad, X25519.KeyPair ratchetKeyPair) {
  public ResponderStart {
    requireNonNull(ratchetKeyPair, "ratchetKeyPair");
    if (sk.length != 32 || ad.length != 32) {
      throw new IllegalArgumentException("SK and AD are 32 bytes each");
    }
    sk = sk.clone();
    ad = ad.clone();
  }

  @Override
  public byte[] sk() {
    return sk.clone();
  }

  @Override
  public byte[] ad() {
    return ad.clone();
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
    return "ResponderStart[ratchet key " + ratchetKeyPair + "]";
  }
}
