package dev.ztchat.client;

import java.io.IOException;

/**
 * A message was sent but the relay's answer never came (the connection dropped, or the relay died,
 * between the send and the answer): the relay may or may not have stored it. The sealed message is
 * kept in the outbox and re-sent, as the very same bytes, on the identity's next connection; the
 * relay stores a message once however often it is sent, so it is never shown twice.
 */
public final class UnconfirmedSendException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String messageIdHex;

  UnconfirmedSendException(String me, String messageIdHex, IOException cause) {
    super(
        "the server did not confirm message "
            + messageIdHex
            + " ("
            + cause.getMessage()
            + "); it is kept on this"
            + " device and re-sent the next time "
            + me
            + " connects (send, recv or client), never twice",
        cause);
    this.messageIdHex = messageIdHex;
  }

  /** The id of the message that waits in the outbox. */
  public String messageIdHex() {
    return messageIdHex;
  }
}
