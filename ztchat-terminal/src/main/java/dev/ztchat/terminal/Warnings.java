package dev.ztchat.terminal;

import dev.ztchat.core.envelope.RejectionReason;

/**
 * The one-line warnings users see when a message is dropped, e.g. {@code [!] Replay dropped from
 * bob}.
 */
public final class Warnings {
  private Warnings() {}

  /** A short warning line for a dropped message; {@code claimedSender} is unverified. */
  public static String dropped(String claimedSender, RejectionReason reason) {
    // The claimed sender is whatever an unverified header said: made safe for a terminal.
    String from = claimedSender == null ? "an unknown sender" : TerminalText.oneLine(claimedSender);
    if (reason == null) {
      return "[!] Malformed message dropped (claimed sender: " + from + ")";
    }
    return switch (reason) {
      case REPLAY -> "[!] Replay dropped from " + from;
      case BAD_SIGNATURE ->
          "[!] Tampered or forged message dropped (claimed sender: " + from + "): bad signature";
      case DECRYPTION_FAILED -> "[!] Undecryptable message dropped from " + from;
      case STALE ->
          "[!] Stale message dropped from " + from + " (older than the acceptance window)";
      case FROM_THE_FUTURE ->
          "[!] Message dated in the future dropped from " + from + " (check clocks)";
      case NOT_FOR_ME -> "[!] Message not addressed to me dropped (claimed sender: " + from + ")";
      case FOR_MY_OTHER_DEVICES ->
          "[i] A message from " + from + " was sealed for your other devices only";
      case UNKNOWN_SENDER -> "[!] Message from unknown sender " + from + " dropped";
      case SENDER_REVOKED -> "[!] Message dropped: the certificate of " + from + " was revoked";
      case UNTRUSTED_SENDER_CERTIFICATE ->
          "[!] Message dropped: the certificate of " + from + " is not trusted";
      case MALFORMED_CONTENT -> "[!] Message with unreadable content dropped from " + from;
      case DOWNGRADE ->
          "[!] Version-1 message dropped from " + from + ", who uses version 2 (downgrade attempt)";
      case UNKNOWN_SESSION ->
          "[!] Message from "
              + from
              + " dropped: it belongs to a session this device does not have";
    };
  }
}
