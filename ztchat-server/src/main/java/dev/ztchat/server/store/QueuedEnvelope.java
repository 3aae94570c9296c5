package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

/** One stored envelope awaiting its recipient's acknowledgement; {@code seq} orders a queue. */
public record QueuedEnvelope(
    long seq, String recipient, String sender, String messageId, byte[] envelope) {
  public QueuedEnvelope {
    requireNonNull(recipient, "recipient");
    requireNonNull(sender, "sender");
    requireNonNull(messageId, "messageId");
    requireNonNull(envelope, "envelope");
  }

  @Override
  public String toString() {
    return "QueuedEnvelope[seq=" + seq + " " + sender + "->" + recipient + " id=" + messageId + "]";
  }
}
