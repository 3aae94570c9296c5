package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

/**
 * What names a stored envelope within its recipient's queue, as the envelope's header and an
 * acknowledgement do: its sender and its message id (32 hex digits).
 */
public record EnvelopeId(String sender, String messageId) {
  public EnvelopeId {
    requireNonNull(sender, "sender");
    requireNonNull(messageId, "messageId");
  }
}
