package dev.ztchat.client;

/** A contact's certificates could not be found or verified; nothing was sent. */
public class UntrustedContactException extends Exception {
  public UntrustedContactException(String message) {
    super(message);
  }
}
