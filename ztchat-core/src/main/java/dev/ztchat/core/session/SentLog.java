package dev.ztchat.core.session;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The user's own side of a {@link ConversationLedger}: the sequence numbers given out, and the ids
 * of the messages the peer has not yet confirmed, against which the peer's commitments are checked.
 * Not thread-safe (the ledger serialises access).
 */
final class SentLog {
  private long sent;
  private long confirmed;
  private long confirmedLost;
  private byte[] confirmedChain = LedgerChain.start();
  private long forgottenUpTo;
  private long toldNotReceivedUpTo;
  private boolean diverged;
  private UnconfirmedMessages unconfirmed = new UnconfirmedMessages();
  // Entries added since the store last saved this log, oldest first; none already confirmed or
  // forgotten, so it is bounded like the unconfirmed messages.
  private final ArrayDeque<LedgerEntry> unsaved = new ArrayDeque<>();

  long next(byte[] id, Instant now) {
    sent++;
    unsaved.add(unconfirmed.addLast(sent, id, now));
    if (unconfirmed.size() > ConversationLedger.MAX_UNCONFIRMED) {
      forgottenUpTo = unconfirmed.removeFirst();
    }
    dropSavedBefore();
    return sent;
  }

  /**
   * The number of the unconfirmed message whose id is {@code id} (sealed again after the relay
   * refused it), else the next number as {@link #next}.
   */
  long again(byte[] id, Instant now) {
    long seq = unconfirmed.seqOf(id);
    return seq > 0 ? seq : next(id, now);
  }

  long sent() {
    return sent;
  }

  boolean diverged() {
    return diverged;
  }

  long unconfirmedCount() {
    return sent - confirmed;
  }

  LedgerReport.History check(LedgerCommitment c, List<SeqRange> peerLostMine) {
    if (diverged) {
      return LedgerReport.History.MISMATCH;
    }
    if (c.covered() <= confirmed) {
      if (c.covered() == confirmed
          && (c.lostTotal() != confirmedLost
              || !MessageDigest.isEqual(c.chain(), confirmedChain))) {
        return mismatch();
      }
      return LedgerReport.History.NOT_CHECKED;
    }
    if (c.covered() > sent || c.lostTotal() < confirmedLost) {
      return mismatch();
    }
    List<SeqRange> lostNow = new ArrayList<>();
    long lostCount = 0;
    for (SeqRange r : c.recentLost()) {
      if (r.to() > confirmed) {
        SeqRange clipped = new SeqRange(Math.max(r.from(), confirmed + 1), r.to());
        lostNow.add(clipped);
        lostCount += clipped.count();
      }
    }
    boolean rangesComplete = lostCount == c.lostTotal() - confirmedLost;
    if (!rangesComplete && c.recentLost().size() < LedgerCommitment.MAX_RANGES) {
      return mismatch();
    }
    if (!rangesComplete || confirmed < forgottenUpTo) {
      // Too much to check: take the peer's word as the new base, and say it was not checked.
      accept(c);
      peerLostMine.addAll(lostNow);
      return LedgerReport.History.UNVERIFIABLE;
    }
    byte[] h = confirmedChain;
    Iterator<UnconfirmedMessages.Sent> mine = unconfirmed.iterator();
    for (long seq = confirmed + 1; seq <= c.covered(); seq++) {
      UnconfirmedMessages.Sent s = mine.next();
      h = LedgerChain.link(h, seq, isIn(lostNow, seq) ? null : s.id());
    }
    if (!MessageDigest.isEqual(h, c.chain())) {
      return mismatch();
    }
    accept(c);
    peerLostMine.addAll(lostNow);
    return LedgerReport.History.CONSISTENT;
  }

  private LedgerReport.History mismatch() {
    diverged = true;
    return LedgerReport.History.MISMATCH;
  }

  private void accept(LedgerCommitment c) {
    confirmed = c.covered();
    confirmedLost = c.lostTotal();
    confirmedChain = c.chain();
    while (!unconfirmed.isEmpty() && unconfirmed.firstSeq() <= confirmed) {
      unconfirmed.removeFirst();
    }
    dropSavedBefore();
  }

  private void dropSavedBefore() {
    long first = firstUnconfirmed();
    while (!unsaved.isEmpty() && unsaved.peekFirst().seq() < first) {
      unsaved.pollFirst();
    }
  }

  /**
   * The user's messages sent more than {@code grace} before the peer wrote its message and not
   * covered by that message's commitment, each told once.
   */
  List<SeqRange> notReceivedWhenPeerWrote(long covered, Instant peerWroteAt, Duration grace) {
    List<Long> seqs = new ArrayList<>();
    for (UnconfirmedMessages.Sent s : unconfirmed) {
      if (s.seq() > covered
          && s.seq() > toldNotReceivedUpTo
          && s.at().plus(grace).isBefore(peerWroteAt)) {
        seqs.add(s.seq());
        toldNotReceivedUpTo = s.seq();
      }
    }
    return ConversationLedger.ranges(seqs);
  }

  private static boolean isIn(List<SeqRange> ranges, long seq) {
    for (SeqRange r : ranges) {
      if (r.contains(seq)) {
        return true;
      }
    }
    return false;
  }

  /** The unconfirmed entries the store does not hold yet, oldest first. */
  List<LedgerEntry> unsaved() {
    return List.copyOf(unsaved);
  }

  /** The store now holds every unconfirmed entry. */
  void saved() {
    unsaved.clear();
  }

  /** The oldest unconfirmed sequence number, or {@code sent + 1} when every one is confirmed. */
  long firstUnconfirmed() {
    return unconfirmed.isEmpty() ? sent + 1 : unconfirmed.firstSeq();
  }

  /** About how many bytes {@link #write} adds. */
  int encodedLengthHint() {
    return 128 + unconfirmed.encodedLength();
  }

  void write(ByteWriter w) {
    writeHead(w);
    unconfirmed.write(w);
  }

  /** The counters, chain and flag: everything but the unconfirmed entries. */
  void writeHead(ByteWriter w) {
    w.u64(sent).u64(confirmed).u64(confirmedLost).bytes(confirmedChain);
    w.u64(forgottenUpTo).u64(toldNotReceivedUpTo).u8(diverged ? 1 : 0);
  }

  /** Reads {@link #write}'s form; every entry is taken as not yet in the store. */
  static SentLog read(ByteReader r) throws MalformedSessionDataException {
    SentLog log = readHead(r);
    int n = r.u16();
    if (n > ConversationLedger.MAX_UNCONFIRMED) {
      throw new MalformedSessionDataException("ledger state: too many unconfirmed messages");
    }
    log.unconfirmed = UnconfirmedMessages.read(r, n, log.firstExpected());
    log.checkCounters(n);
    log.unsaved.addAll(log.unconfirmed.entries());
    return log;
  }

  /** Reads {@link #writeHead}'s form with the entries a store kept as rows. */
  static SentLog read(ByteReader r, List<LedgerEntry> entries)
      throws MalformedSessionDataException {
    SentLog log = readHead(r);
    if (entries.size() > ConversationLedger.MAX_UNCONFIRMED) {
      throw new MalformedSessionDataException("ledger state: too many unconfirmed messages");
    }
    log.unconfirmed = UnconfirmedMessages.fromEntries(entries, log.firstExpected());
    log.checkCounters(entries.size());
    return log;
  }

  private long firstExpected() {
    return Math.max(confirmed, forgottenUpTo) + 1;
  }

  private void checkCounters(int n) throws MalformedSessionDataException {
    if (confirmed > sent || confirmedLost > confirmed || firstExpected() + n - 1 != sent) {
      throw new MalformedSessionDataException("ledger state: inconsistent sent counters");
    }
  }

  private static SentLog readHead(ByteReader r) throws MalformedSessionDataException {
    SentLog log = new SentLog();
    log.sent = r.u64();
    log.confirmed = r.u64();
    log.confirmedLost = r.u64();
    log.confirmedChain = r.bytes(LedgerCommitment.CHAIN_LENGTH);
    log.forgottenUpTo = r.u64();
    log.toldNotReceivedUpTo = r.u64();
    int flag = r.u8();
    if (flag > 1) {
      throw new MalformedSessionDataException("ledger state: bad flag");
    }
    log.diverged = flag == 1;
    return log;
  }
}
