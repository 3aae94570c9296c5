package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

/**
 * One thing the user should be told about a conversation's delivery, with the messages it concerns
 * ({@code range}: the peer's sequence numbers for the first five kinds, the user's own for the next
 * two, none for the last two). {@link #describe} words it in English; a front end that words it
 * otherwise switches on {@link #kind()}.
 */
public record LedgerNotice(Kind kind, SeqRange range) {
  /** What happened. */
  public enum Kind {
    /** Later messages arrived but these have not (yet): the relay may be withholding them. */
    PEER_MESSAGES_MISSING,
    /** These never arrived within the wait: treated as lost (dropped on the way). */
    PEER_MESSAGES_LOST,
    /** This message arrived after a later one (it filled a gap). */
    PEER_MESSAGE_OUT_OF_ORDER,
    /** This message arrived after it had been reported lost. */
    PEER_MESSAGE_LATE,
    /**
     * A sequence number already accounted for, or implausibly far ahead: the peer's device
     * misbehaves (the message is not counted).
     */
    PEER_SEQUENCE_INVALID,
    /** The peer says these messages of the user's never reached it. */
    MY_MESSAGES_LOST_BY_PEER,
    /** The peer wrote its message well after these were sent, without having received them. */
    MY_MESSAGES_NOT_YET_RECEIVED_BY_PEER,
    /** The peer's record of the user's messages differs from what the user sent. */
    HISTORY_MISMATCH,
    /** The peer's record could not be checked (too many losses to carry, or too old). */
    HISTORY_UNVERIFIABLE
  }

  public LedgerNotice {
    requireNonNull(kind, "kind");
    boolean needsRange = kind != Kind.HISTORY_MISMATCH && kind != Kind.HISTORY_UNVERIFIABLE;
    if (needsRange != (range != null)) {
      throw new IllegalArgumentException(kind + (needsRange ? " needs" : " takes no") + " range");
    }
  }

  /** The notice in English, naming the peer as {@code peer} (already safe for the terminal). */
  public String describe(String peer) {
    return switch (kind) {
      case PEER_MESSAGES_MISSING ->
          "Message " + range + " from " + peer + " has not arrived yet, though later ones did.";
      case PEER_MESSAGES_LOST ->
          "Message "
              + range
              + " from "
              + peer
              + " never arrived: the relay may have dropped it. Ask "
              + peer
              + " to send it again.";
      case PEER_MESSAGE_OUT_OF_ORDER ->
          "Message " + range + " from " + peer + " arrived late, after a later message.";
      case PEER_MESSAGE_LATE ->
          "Message " + range + " from " + peer + " arrived after it had been reported missing.";
      case PEER_SEQUENCE_INVALID ->
          "Message "
              + range
              + " from "
              + peer
              + " carries a number that is already used or far out of sequence: "
              + peer
              + "'s device may be faulty or compromised. Check with "
              + peer
              + " in person.";
      case MY_MESSAGES_LOST_BY_PEER ->
          "Your message "
              + range
              + " never reached "
              + peer
              + ": the relay may have dropped it. Send it again.";
      case MY_MESSAGES_NOT_YET_RECEIVED_BY_PEER ->
          peer + " had not received your message " + range + " when writing their reply.";
      case HISTORY_MISMATCH ->
          peer
              + " saw a different set of your messages than you sent: messages may have been"
              + " forged or altered. Verify your safety number with "
              + peer
              + " in person.";
      case HISTORY_UNVERIFIABLE ->
          "Could not check which of your messages "
              + peer
              + " received (too many were lost). Ask "
              + peer
              + " what they received.";
    };
  }
}
