package dev.ztchat.core.envelope;

/** The bytes are not a well-formed envelope of a version this code reads. */
public final class MalformedEnvelopeException extends Exception {
  public MalformedEnvelopeException(String message) {
    super(message);
  }
}
