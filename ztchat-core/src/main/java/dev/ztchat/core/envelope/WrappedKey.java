package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.IdentityName;
import java.util.Arrays;

/**
 * The message's content key wrapped (RSA-OAEP) for one recipient key. {@code keyId} is the SHA-256
 * of the DER encoding of the recipient's encryption certificate, so one user may have several keys
 * (devices) in one envelope.
 */
public record WrappedKey(String recipient, byte[] keyId, byte[] wrapped) {
  /** Length of a key id in bytes. */
  public static final int KEY_ID_BYTES = 32;

  public WrappedKey {
    IdentityName.validate(recipient);
    requireNonNull(keyId, "keyId");
    requireNonNull(wrapped, "wrapped");
    if (keyId.length != KEY_ID_BYTES) {
      throw new IllegalArgumentException("key id must be " + KEY_ID_BYTES + " bytes");
    }
    if (wrapped.length == 0) {
      throw new IllegalArgumentException("wrapped key is empty");
    }
    keyId = keyId.clone();
    wrapped = wrapped.clone();
  }

  @Override
  public byte[] keyId() {
    return keyId.clone();
  }

  @Override
  public byte[] wrapped() {
    return wrapped.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WrappedKey w
        && recipient.equals(w.recipient)
        && Arrays.equals(keyId, w.keyId)
        && Arrays.equals(wrapped, w.wrapped);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(keyId);
  }

  @Override
  public String toString() {
    return "WrappedKey[" + recipient + "]";
  }
}
