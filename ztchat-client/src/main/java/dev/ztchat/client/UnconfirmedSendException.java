package dev.ztchat.client;

import dev.ztchat.core.protocol.ErrorCode;
import java.io.IOException;

/**
 * A message was sent but the relay's answer never came (the connection dropped, or the relay died,
 * between the send and the answer): the relay may or may not have stored it; or the relay answered
 * that it could not store it (its database refuses writes), and the client connects again, to its
 * next relay when it has several. The sealed message is kept in the outbox and re-sent, as the very
 * same bytes, on the identity's next connection; the relay stores a message once however often it
 * is sent, so it is never shown twice.
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

  /**
   * True when the relay answered that it could not store the message (so the client is connecting
   * again, to its next relay when it has several), rather than not answering at all.
   */
  public boolean relayCouldNotStore() {
    return getCause() instanceof RelayConnection.RelayException r && r.code() == ErrorCode.INTERNAL;
  }

  /** The id of the message that waits in the outbox. */
  public String messageIdHex() {
    return messageIdHex;
  }
}
