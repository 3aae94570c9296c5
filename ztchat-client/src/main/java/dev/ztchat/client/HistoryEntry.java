package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * One message of a conversation as the local history holds it, already decrypted; for a group text
 * of mine that reached some members only, how far it got ({@link PartialDelivery}).
 *
 * <p>{@link #toString()} leaves out the text, so an entry can be logged without leaking it.
 */
public record HistoryEntry(
    String peer,
    Direction direction,
    String messageIdHex,
    Instant sentAt,
    State state,
    String text,
    Optional<PartialDelivery> partial) {

  /** Whether the message came from the peer or went to the peer. */
  public enum Direction {
    IN("in"),
    OUT("out");

    private final String stored;

    Direction(String stored) {
      this.stored = stored;
    }

    String stored() {
      return stored;
    }

    static Direction fromStored(String s) {
      for (Direction d : values()) {
        if (d.stored.equals(s)) {
          return d;
        }
      }
      throw new IllegalArgumentException("unknown direction in the local history: " + s);
    }
  }

  /**
   * Where a message is: outgoing ones go {@code PENDING} (sealed, not yet accepted by the relay) to
   * {@code SENT} (the relay accepted it) to {@code DELIVERED} (a receipt arrived); incoming ones
   * are {@code RECEIVED}.
   */
  public enum State {
    PENDING("pending"),
    SENT("sent"),
    DELIVERED("delivered"),
    RECEIVED("received");

    private final String stored;

    State(String stored) {
      this.stored = stored;
    }

    String stored() {
      return stored;
    }

    static State fromStored(String s) {
      for (State st : values()) {
        if (st.stored.equals(s)) {
          return st;
        }
      }
      throw new IllegalArgumentException("unknown state in the local history: " + s);
    }
  }

  public HistoryEntry {
    requireNonNull(peer, "peer");
    requireNonNull(direction, "direction");
    requireNonNull(messageIdHex, "messageIdHex");
    requireNonNull(sentAt, "sentAt");
    requireNonNull(state, "state");
    requireNonNull(text, "text");
    requireNonNull(partial, "partial");
  }

  /** An entry that reached everyone it was for (or is not mine). */
  public HistoryEntry(
      String peer,
      Direction direction,
      String messageIdHex,
      Instant sentAt,
      State state,
      String text) {
    this(peer, direction, messageIdHex, sentAt, state, text, Optional.empty());
  }

  @Override
  public String toString() {
    return "HistoryEntry[peer="
        + peer
        + ", direction="
        + direction
        + ", messageId="
        + messageIdHex
        + ", sentAt="
        + sentAt
        + ", state="
        + state
        + (partial.isPresent() ? ", partial" : "")
        + "]";
  }
}
