package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link ConversationLedger} learned from one received message (or from a {@link
 * ConversationLedger#refresh} of its timers): how the message arrived, which of the peer's messages
 * are missing or lost, and what the peer's commitment says about the user's own messages. {@link
 * #notices()} turns it into what the user should be told.
 *
 * @param seq the received message's sequence number, or 0 for a refresh
 * @param arrival how it arrived ({@link Arrival#NONE} for a refresh)
 * @param missing peer messages newly noticed as missing (later ones arrived)
 * @param lost peer messages given up as lost by this call
 * @param peerLostMine the user's messages that the peer says it never received
 * @param peerNotYetReceivedMine the user's messages the peer had not received when it wrote
 * @param history whether the peer's record of the user's messages checked out
 */
public record LedgerReport(
    long seq,
    Arrival arrival,
    List<SeqRange> missing,
    List<SeqRange> lost,
    List<SeqRange> peerLostMine,
    List<SeqRange> peerNotYetReceivedMine,
    History history) {
  /** How a message arrived relative to the peer's sequence. */
  public enum Arrival {
    /** Not a message (a timer refresh). */
    NONE,
    /** The next one expected. */
    IN_ORDER,
    /** After a gap: earlier messages are missing. */
    AHEAD_OF_GAP,
    /** Filled a gap: a later message had arrived first. */
    OUT_OF_ORDER,
    /** After the ledger had given it up as lost. */
    LATE,
    /** Its sequence number was already accounted for by another message (not counted). */
    DUPLICATE_SEQUENCE,
    /** Its sequence number is implausibly far beyond the highest seen (not counted). */
    IMPLAUSIBLE_SEQUENCE
  }

  /** The check of the peer's commitment against the user's own sent messages. */
  public enum History {
    /** Matches what the user sent (as far as the peer has received). */
    CONSISTENT,
    /** Nothing new to check (an older commitment, or a refresh). */
    NOT_CHECKED,
    /** The peer's record differs: a forged, altered or substituted message on one side. */
    MISMATCH,
    /** Could not be checked (more lost ranges than a commitment carries, or ids forgotten). */
    UNVERIFIABLE
  }

  public LedgerReport {
    requireNonNull(arrival, "arrival");
    requireNonNull(history, "history");
    missing = List.copyOf(missing);
    lost = List.copyOf(lost);
    peerLostMine = List.copyOf(peerLostMine);
    peerNotYetReceivedMine = List.copyOf(peerNotYetReceivedMine);
  }

  /** True when there is nothing to tell the user. */
  public boolean isQuiet() {
    return notices().isEmpty();
  }

  /** What to tell the user, most serious first. */
  public List<LedgerNotice> notices() {
    List<LedgerNotice> out = new ArrayList<>();
    if (history == History.MISMATCH) {
      out.add(new LedgerNotice(LedgerNotice.Kind.HISTORY_MISMATCH, null));
    }
    if (arrival == Arrival.DUPLICATE_SEQUENCE || arrival == Arrival.IMPLAUSIBLE_SEQUENCE) {
      out.add(new LedgerNotice(LedgerNotice.Kind.PEER_SEQUENCE_INVALID, SeqRange.of(seq)));
    }
    lost.forEach(r -> out.add(new LedgerNotice(LedgerNotice.Kind.PEER_MESSAGES_LOST, r)));
    peerLostMine.forEach(
        r -> out.add(new LedgerNotice(LedgerNotice.Kind.MY_MESSAGES_LOST_BY_PEER, r)));
    missing.forEach(r -> out.add(new LedgerNotice(LedgerNotice.Kind.PEER_MESSAGES_MISSING, r)));
    if (history == History.UNVERIFIABLE) {
      out.add(new LedgerNotice(LedgerNotice.Kind.HISTORY_UNVERIFIABLE, null));
    }
    peerNotYetReceivedMine.forEach(
        r -> out.add(new LedgerNotice(LedgerNotice.Kind.MY_MESSAGES_NOT_YET_RECEIVED_BY_PEER, r)));
    if (arrival == Arrival.OUT_OF_ORDER) {
      out.add(new LedgerNotice(LedgerNotice.Kind.PEER_MESSAGE_OUT_OF_ORDER, SeqRange.of(seq)));
    }
    if (arrival == Arrival.LATE) {
      out.add(new LedgerNotice(LedgerNotice.Kind.PEER_MESSAGE_LATE, SeqRange.of(seq)));
    }
    return List.copyOf(out);
  }
}
