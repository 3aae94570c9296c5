package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message waiting in the {@link Outbox}: typed for {@code peer} at {@code createdAt}, not yet
 * accepted by the relay.
 *
 * <p>Once sealed, {@code messageIdHex} and {@code envelope} are set, and every retry sends exactly
 * those bytes: the relay and the recipient recognise a copy by its id, so a retry after a lost
 * answer never shows the message twice. Before that, both are null.
 *
 * <p>{@link #toString()} leaves out the text, so a pending message can be logged without leaking
 * it.
 */
record PendingMessage(
    long id, String peer, String text, Instant createdAt, String messageIdHex, byte[] envelope) {
  public PendingMessage {
    requireNonNull(peer, "peer");
    requireNonNull(text, "text");
    requireNonNull(createdAt, "createdAt");
  }

  /** True once the message was sealed (and must be re-sent as these very bytes). */
  public boolean sealed() {
    return envelope != null;
  }

  @Override
  public byte[] envelope() {
    return envelope == null ? null : envelope.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PendingMessage p
        && id == p.id
        && peer.equals(p.peer)
        && text.equals(p.text)
        && createdAt.equals(p.createdAt)
        && Objects.equals(messageIdHex, p.messageIdHex)
        && Arrays.equals(envelope, p.envelope);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id);
  }

  @Override
  public String toString() {
    return "PendingMessage[id=" + id + ", peer=" + peer + ", createdAt=" + createdAt + "]";
  }
}
