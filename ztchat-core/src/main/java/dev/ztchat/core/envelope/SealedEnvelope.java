package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.CipherParameters;
import java.util.Arrays;
import java.util.List;

/**
 * A sealed envelope as it travels: header, wrapped content keys, nonce, ciphertext (with the GCM
 * tag) and the sender's signature. Holding one says nothing about its authenticity: only the opener
 * turns it into plaintext, after every check (docs/PROTOCOL.md, section 7).
 */
public record SealedEnvelope(
    EnvelopeHeader header,
    List<WrappedKey> keys,
    byte[] nonce,
    byte[] ciphertext,
    byte[] signature) {
  /** AES-GCM nonce length in bytes (96 bits). */
  public static final int NONCE_BYTES = CipherParameters.GCM_NONCE_BYTES;

  /** AES-GCM tag length in bytes (128 bits). */
  public static final int TAG_BYTES = CipherParameters.GCM_TAG_BITS / 8;

  public SealedEnvelope {
    requireNonNull(header, "header");
    keys = List.copyOf(keys);
    requireNonNull(nonce, "nonce");
    requireNonNull(ciphertext, "ciphertext");
    requireNonNull(signature, "signature");
    if (keys.isEmpty() || keys.size() > EnvelopeHeader.MAX_WRAPPED_KEYS) {
      throw new IllegalArgumentException(
          "an envelope carries 1 to "
              + EnvelopeHeader.MAX_WRAPPED_KEYS
              + " wrapped keys, not "
              + keys.size());
    }
    if (nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes");
    }
    if (ciphertext.length < TAG_BYTES) {
      throw new IllegalArgumentException("ciphertext is shorter than the GCM tag");
    }
    if (signature.length == 0) {
      throw new IllegalArgumentException("signature is empty");
    }
    nonce = nonce.clone();
    ciphertext = ciphertext.clone();
    signature = signature.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SealedEnvelope e
        && header.equals(e.header)
        && keys.equals(e.keys)
        && Arrays.equals(nonce, e.nonce)
        && Arrays.equals(ciphertext, e.ciphertext)
        && Arrays.equals(signature, e.signature);
  }

  @Override
  public int hashCode() {
    return header.hashCode();
  }

  @Override
  public String toString() {
    return "SealedEnvelope[" + header + ", " + ciphertext.length + " ciphertext bytes]";
  }
}
