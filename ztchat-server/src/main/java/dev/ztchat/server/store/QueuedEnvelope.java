package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

/**
 * One stored envelope awaiting its recipient's acknowledgement; {@code seq} orders a queue.
 *
 * <p>{@code storedAfter}, for a copy just enqueued: the highest {@code seq} the recipient's queue
 * held when it was stored, when a writer other than this relay may have stored it (several relay
 * nodes on one database); 0 when this relay is the store's only writer, or for a copy read back. A
 * connection that has read its queue up to at least {@code storedAfter} can take the copy straight
 * from the enqueue without missing one stored by another node before it.
 */
public record QueuedEnvelope(
    long seq,
    String recipient,
    String sender,
    String messageId,
    byte[] envelope,
    long storedAfter) {
  public QueuedEnvelope {
    requireNonNull(recipient, "recipient");
    requireNonNull(sender, "sender");
    requireNonNull(messageId, "messageId");
    requireNonNull(envelope, "envelope");
  }

  /** A copy with nothing stored by another writer before it (see {@link #storedAfter}). */
  public QueuedEnvelope(
      long seq, String recipient, String sender, String messageId, byte[] envelope) {
    this(seq, recipient, sender, messageId, envelope, 0);
  }

  @Override
  public String toString() {
    return "QueuedEnvelope[seq=" + seq + " " + sender + "->" + recipient + " id=" + messageId + "]";
  }
}
