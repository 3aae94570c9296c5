package dev.ztchat.client;

/** The message does not fit in one frame; nothing was sent. */
public final class MessageTooLongException extends Exception {
  private final int maxBytes;

  MessageTooLongException(int actualBytes, int maxBytes, int maxFrame) {
    super(
        "message too long: "
            + actualBytes
            + " bytes of UTF-8 text, the maximum is "
            + maxBytes
            + " bytes (one "
            + maxFrame
            + "-byte frame). Split it into shorter messages.");
    this.maxBytes = maxBytes;
  }

  /** Too large for another reason than its text (e.g. too many recipient devices), said so. */
  MessageTooLongException(String message) {
    super(message);
    this.maxBytes = 0;
  }

  public int maxBytes() {
    return maxBytes;
  }
}
