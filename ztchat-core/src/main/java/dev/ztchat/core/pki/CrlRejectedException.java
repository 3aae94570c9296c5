package dev.ztchat.core.pki;

/** A CRL failed verification (foreign issuer, bad signature, out of date). */
public final class CrlRejectedException extends Exception {
  public CrlRejectedException(String message) {
    super(message);
  }
}
