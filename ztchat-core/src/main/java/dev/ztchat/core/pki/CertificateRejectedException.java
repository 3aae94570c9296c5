package dev.ztchat.core.pki;

/** A certificate failed verification; the message says why in words a user can act on. */
public final class CertificateRejectedException extends Exception {
  public CertificateRejectedException(String message) {
    super(message);
  }
}
