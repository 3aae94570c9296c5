package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A message waiting in the {@link Outbox}: typed for {@code peer} at {@code createdAt}, not yet
 * accepted by the relay.
 *
 * <p>{@link #toString()} leaves out the text, so a pending message can be logged without leaking
 * it.
 */
public record PendingMessage(long id, String peer, String text, Instant createdAt) {
  public PendingMessage {
    requireNonNull(peer, "peer");
    requireNonNull(text, "text");
    requireNonNull(createdAt, "createdAt");
  }

  @Override
  public String toString() {
    return "PendingMessage[id=" + id + ", peer=" + peer + ", createdAt=" + createdAt + "]";
  }
}
