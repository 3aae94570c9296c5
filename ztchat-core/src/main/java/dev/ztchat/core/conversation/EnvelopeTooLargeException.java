package dev.ztchat.core.conversation;

/**
 * A version-2 envelope would be longer than the relay can deliver to every client ({@code
 * ProtocolLimits.maxEnvelopeBytes(maxFrame)}, docs/v2/envelope.md section 4.4). Nothing was sent
 * and no state changed; the message is to be shortened or sent to fewer devices at once.
 */
public final class EnvelopeTooLargeException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int length;
  private final int limit;

  EnvelopeTooLargeException(int length, int limit) {
    super(
        "the message would be "
            + length
            + " bytes sealed, more than the "
            + limit
            + " the relay can deliver: shorten it, or send it to fewer recipients at once");
    this.length = length;
    this.limit = limit;
  }

  /** The sealed envelope's length, in bytes. */
  public int length() {
    return length;
  }

  /** The most the relay delivers, in bytes. */
  public int limit() {
    return limit;
  }
}
