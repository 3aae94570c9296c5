package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The delivery ledger of one conversation between two devices (docs/v2/conversation-ledger.md):
 * every outgoing message gets the next sequence number and a {@link LedgerCommitment} to what this
 * device has received from the peer; every incoming message's commitment is checked against what
 * this device sent. A relay that drops, withholds or reorders messages is detected by the next
 * message that gets through: gaps in the peer's sequence are reported as missing and, after {@link
 * #gapWait()}, as lost; the peer's commitment tells which of this device's messages it never
 * received, and a peer record that differs from what was sent is reported as a mismatch.
 *
 * <p>Security guarantees: the commitment only means something inside the encrypted and
 * authenticated content of a message (the integrator puts it there); the ledger itself trusts its
 * inputs. It detects loss, withholding and reordering at the next message that arrives; it cannot
 * detect that the relay withholds everything (no message arrives), which the user sees as silence.
 * Time comes from the caller ({@code now}), never from a clock inside.
 *
 * <p>Not thread-safe: one conversation's messages are handled one at a time; call it under the
 * conversation's lock. Persist it after each call, together with the message: its {@link #head()},
 * the {@link #unsavedEntries()} added since it was last saved, and the store drops the entries
 * before {@link #firstUnconfirmedSeq()}; then {@link #markSaved()}. {@link #toBytes()} is the same
 * state in one piece.
 */
public final class ConversationLedger {
  /** How long a gap may stay open before its messages are reported lost (by default). */
  public static final Duration DEFAULT_GAP_WAIT = Duration.ofMinutes(2);

  /** Clock skew and delivery allowance before "not yet received by the peer" is told. */
  public static final Duration DEFAULT_REPLY_GRACE = Duration.ofMinutes(2);

  /** Longest message id accepted, in bytes. */
  public static final int MAX_ID_LENGTH = 64;

  /** A sequence number more than this beyond the highest seen is refused as implausible. */
  public static final int MAX_JUMP = 1024;

  /** At most this many of the peer's sequence numbers are open (missing or waiting) at once. */
  public static final int MAX_SPAN = 2048;

  /** At most this many unconfirmed own message ids are kept for checking the peer's record. */
  public static final int MAX_UNCONFIRMED = 2048;

  static final int STATE_VERSION = 1;

  static final int HEAD_VERSION = 2;

  private final Duration gapWait;
  private final Duration replyGrace;
  private final SentLog mine;
  private final PeerLog peer;

  private ConversationLedger(Duration gapWait, Duration replyGrace, SentLog mine, PeerLog peer) {
    this.gapWait = requireNonNull(gapWait, "gapWait");
    this.replyGrace = requireNonNull(replyGrace, "replyGrace");
    if (gapWait.isNegative() || replyGrace.isNegative()) {
      throw new IllegalArgumentException("waits must not be negative");
    }
    this.mine = mine;
    this.peer = peer;
  }

  /** A new conversation with the default waits. */
  public static ConversationLedger create() {
    return create(DEFAULT_GAP_WAIT, DEFAULT_REPLY_GRACE);
  }

  /** A new conversation with the given waits. */
  public static ConversationLedger create(Duration gapWait, Duration replyGrace) {
    return new ConversationLedger(gapWait, replyGrace, new SentLog(), new PeerLog());
  }

  public Duration gapWait() {
    return gapWait;
  }

  /**
   * Gives the next outgoing message, whose id is {@code messageId} (1 to {@link #MAX_ID_LENGTH}
   * bytes, the envelope's message id), its sequence number and the commitment to put inside it. A
   * message that is then not sent leaves a gap that the peer will report as lost.
   */
  public LedgerCommitment nextOutgoing(byte[] messageId, Instant now) {
    byte[] id = LedgerChain.checkId(messageId);
    requireNonNull(now, "now");
    return peer.commitment(mine.next(id, now));
  }

  /**
   * As {@link #nextOutgoing}, for a message that may be sealed again under the same id because the
   * relay refused its first envelope (docs/v2/conversation-ledger.md section 2): an id among this
   * device's unconfirmed messages to the peer gets the number it was given then, so the peer sees
   * no gap for a message that was never stored; any other id gets the next number. Should both
   * envelopes arrive after all, the peer's replay guard drops the second (same sender, same id)
   * before its ledger counts it.
   */
  public LedgerCommitment outgoingAgain(byte[] messageId, Instant now) {
    byte[] id = LedgerChain.checkId(messageId);
    requireNonNull(now, "now");
    return peer.commitment(mine.again(id, now));
  }

  /**
   * Records an incoming message that authenticated and decrypted, with the commitment it carried,
   * its id and the time its sender wrote it (the envelope's authenticated timestamp), and says what
   * the user should be told.
   */
  public LedgerReport receive(
      LedgerCommitment commitment, byte[] messageId, Instant peerWroteAt, Instant now) {
    requireNonNull(commitment, "commitment");
    byte[] id = LedgerChain.checkId(messageId);
    requireNonNull(peerWroteAt, "peerWroteAt");
    requireNonNull(now, "now");
    List<Long> missing = new ArrayList<>();
    List<Long> lost = new ArrayList<>();
    LedgerReport.Arrival arrival = peer.arrive(commitment.seq(), id, now, gapWait, missing, lost);
    List<SeqRange> peerLostMine = new ArrayList<>();
    LedgerReport.History history = mine.check(commitment, peerLostMine);
    List<SeqRange> notYet =
        history == LedgerReport.History.MISMATCH
            ? List.of()
            : mine.notReceivedWhenPeerWrote(commitment.covered(), peerWroteAt, replyGrace);
    return new LedgerReport(
        commitment.seq(), arrival, ranges(missing), ranges(lost), peerLostMine, notYet, history);
  }

  /**
   * Gives up, as lost, the peer's messages whose gap has stayed open for {@link #gapWait()}; call
   * it from a timer so that a drop at the end of a burst is told without waiting for traffic.
   */
  public LedgerReport refresh(Instant now) {
    List<Long> lost = new ArrayList<>();
    peer.advance(now, gapWait, lost, false);
    return new LedgerReport(
        0,
        LedgerReport.Arrival.NONE,
        List.of(),
        ranges(lost),
        List.of(),
        List.of(),
        mine.diverged() ? LedgerReport.History.MISMATCH : LedgerReport.History.NOT_CHECKED);
  }

  /** The peer's sequence numbers currently missing (later ones arrived, these not yet). */
  public List<SeqRange> missing() {
    return ranges(peer.missingNow());
  }

  /** How many of this device's messages the peer has not yet confirmed. */
  public long unconfirmedCount() {
    return mine.unconfirmedCount();
  }

  /** True once the peer's record has ever differed from what this device sent (it stays so). */
  public boolean historyDiverged() {
    return mine.diverged();
  }

  /** The ledger's state: {@code 01}, the sent side, then the peer side (section 5). */
  public byte[] toBytes() {
    ByteWriter w = new ByteWriter(mine.encodedLengthHint() + 256).u8(STATE_VERSION);
    mine.write(w);
    peer.write(w);
    return w.toByteArray();
  }

  /**
   * The ledger's head: {@code 02}, the sent side without its unconfirmed messages, then the peer
   * side (section 7). Small whatever the number of unconfirmed messages.
   */
  public byte[] head() {
    ByteWriter w = new ByteWriter(256).u8(HEAD_VERSION);
    mine.writeHead(w);
    peer.write(w);
    return w.toByteArray();
  }

  /**
   * The unconfirmed messages the store does not hold yet (since this ledger was created, loaded or
   * {@link #markSaved() saved}), oldest first: usually the one just sent.
   */
  public List<LedgerEntry> unsavedEntries() {
    return mine.unsaved();
  }

  /**
   * The oldest of this device's messages still unconfirmed ({@code sent + 1} when none is): the
   * store keeps no entry before it.
   */
  public long firstUnconfirmedSeq() {
    return mine.firstUnconfirmed();
  }

  /** The store now holds {@link #head()} and every unconfirmed entry. */
  public void markSaved() {
    mine.saved();
  }

  /**
   * Restores a ledger from its {@link #head()} and the unconfirmed entries the store kept, oldest
   * first, with the default waits (strict: any inconsistency is refused). A head that is a whole
   * {@link #toBytes()} state (as stored before the entries had rows of their own) is taken with no
   * entries, and all of its unconfirmed messages count as not yet saved as entries.
   */
  public static ConversationLedger fromStored(byte[] head, List<LedgerEntry> entries)
      throws MalformedSessionDataException {
    requireNonNull(entries, "entries");
    ByteReader r = new ByteReader(head, "ledger state");
    int version = r.u8();
    SentLog mine;
    if (version == STATE_VERSION) {
      if (!entries.isEmpty()) {
        throw new MalformedSessionDataException("ledger state: unconfirmed messages twice");
      }
      mine = SentLog.read(r);
    } else if (version == HEAD_VERSION) {
      mine = SentLog.read(r, entries);
    } else {
      throw new MalformedSessionDataException("ledger state version " + version);
    }
    PeerLog peer = PeerLog.read(r);
    r.end();
    return new ConversationLedger(DEFAULT_GAP_WAIT, DEFAULT_REPLY_GRACE, mine, peer);
  }

  /** Restores a ledger from {@link #toBytes()}, with the default waits. */
  public static ConversationLedger fromBytes(byte[] state) throws MalformedSessionDataException {
    return fromBytes(state, DEFAULT_GAP_WAIT, DEFAULT_REPLY_GRACE);
  }

  /** Restores a ledger from {@link #toBytes()} (strict: any inconsistency is refused). */
  public static ConversationLedger fromBytes(byte[] state, Duration gapWait, Duration replyGrace)
      throws MalformedSessionDataException {
    ByteReader r = new ByteReader(state, "ledger state");
    int version = r.u8();
    if (version != STATE_VERSION) {
      throw new MalformedSessionDataException("ledger state version " + version);
    }
    SentLog mine = SentLog.read(r);
    PeerLog peer = PeerLog.read(r);
    r.end();
    return new ConversationLedger(gapWait, replyGrace, mine, peer);
  }

  /** Sorted sequence numbers as maximal ranges. */
  static List<SeqRange> ranges(List<Long> seqs) {
    List<SeqRange> out = new ArrayList<>();
    long from = -1;
    long to = -1;
    for (long s : seqs) {
      if (from > 0 && s == to + 1) {
        to = s;
        continue;
      }
      if (from > 0) {
        out.add(new SeqRange(from, to));
      }
      from = s;
      to = s;
    }
    if (from > 0) {
      out.add(new SeqRange(from, to));
    }
    return out;
  }
}
