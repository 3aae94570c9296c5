package dev.ztchat.core.envelope;

/** Decrypted bytes are not a plaintext content of a kind this code reads (PROTOCOL.md 6.1). */
public final class MalformedContentException extends Exception {
  MalformedContentException(String message) {
    super(message);
  }
}
