package dev.ztchat.core.pki;

/**
 * A PKI administration step cannot go ahead in the certs folder as it is (a CA already exists, the
 * CA key is missing, a user is unknown...). The message names the file and says what to do.
 */
public final class PkiException extends Exception {
  public PkiException(String message) {
    super(message);
  }
}
