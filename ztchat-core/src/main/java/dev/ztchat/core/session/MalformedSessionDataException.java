package dev.ztchat.core.session;

/**
 * The bytes are not a well-formed encoding (prekey, bundle, initial-message header, ledger
 * commitment or stored state) of a version this code reads: truncated, trailing bytes, a length or
 * a kind out of range. See docs/v2/session-setup.md and docs/v2/conversation-ledger.md.
 */
public final class MalformedSessionDataException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedSessionDataException(String message) {
    super(message);
  }
}
