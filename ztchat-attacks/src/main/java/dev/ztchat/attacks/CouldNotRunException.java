package dev.ztchat.attacks;

/**
 * The attack could not be staged (missing certificate, unsupported TLS library, failed control).
 */
final class CouldNotRunException extends Exception {
  CouldNotRunException(String reason) {
    super(reason);
  }
}
