package dev.ztchat.core.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The peer's side of a {@link ConversationLedger}: which of the peer's sequence numbers arrived,
 * which are missing and since when, which were given up as lost, and the hash chain over the
 * accounted-for prefix. Not thread-safe (the ledger serialises access).
 */
final class PeerLog {
  /** Lost ranges remembered (for commitments and to recognise a late arrival). */
  static final int KEPT_RANGES = 64;

  private long covered;
  private long lostTotal;
  private byte[] chain = LedgerChain.start();
  private long highestSeen;
  private final TreeMap<Long, byte[]> ahead = new TreeMap<>();
  private final TreeMap<Long, Instant> missing = new TreeMap<>();
  private final ArrayDeque<SeqRange> lostRanges = new ArrayDeque<>();

  /**
   * Records the arrival of {@code seq}; adds newly missing sequence numbers to {@code missingOut}
   * and sequence numbers given up as lost to {@code lostOut}.
   */
  LedgerReport.Arrival arrive(
      long seq,
      byte[] id,
      Instant now,
      Duration gapWait,
      List<Long> missingOut,
      List<Long> lostOut) {
    if (seq <= covered) {
      return wasLost(seq) ? LedgerReport.Arrival.LATE : LedgerReport.Arrival.DUPLICATE_SEQUENCE;
    }
    if (ahead.containsKey(seq)) {
      return LedgerReport.Arrival.DUPLICATE_SEQUENCE;
    }
    if (seq > Math.max(highestSeen, covered) + ConversationLedger.MAX_JUMP) {
      return LedgerReport.Arrival.IMPLAUSIBLE_SEQUENCE;
    }
    LedgerReport.Arrival arrival;
    if (seq > highestSeen) {
      for (long s = Math.max(highestSeen, covered) + 1; s < seq; s++) {
        missing.put(s, now);
        missingOut.add(s);
      }
      highestSeen = seq;
      arrival =
          missing.isEmpty() ? LedgerReport.Arrival.IN_ORDER : LedgerReport.Arrival.AHEAD_OF_GAP;
    } else {
      missing.remove(seq);
      arrival = LedgerReport.Arrival.OUT_OF_ORDER;
    }
    ahead.put(seq, id);
    // Keep the open span bounded: give up the oldest gaps early rather than remember without end.
    while (highestSeen - covered > ConversationLedger.MAX_SPAN) {
      advance(now, gapWait, lostOut, true);
    }
    advance(now, gapWait, lostOut, false);
    return arrival;
  }

  /** Moves the covered prefix over arrived messages and over gaps older than {@code gapWait}. */
  void advance(Instant now, Duration gapWait, List<Long> lostOut, boolean forceOne) {
    boolean force = forceOne;
    while (true) {
      long next = covered + 1;
      byte[] id = ahead.remove(next);
      if (id != null) {
        chain = LedgerChain.link(chain, next, id);
        covered = next;
        continue;
      }
      Instant noticed = missing.get(next);
      if (noticed != null && (force || !now.isBefore(noticed.plus(gapWait)))) {
        force = false;
        missing.remove(next);
        chain = LedgerChain.link(chain, next, null);
        covered = next;
        lostTotal++;
        addLost(next);
        lostOut.add(next);
        continue;
      }
      return;
    }
  }

  private void addLost(long seq) {
    SeqRange last = lostRanges.peekLast();
    if (last != null && last.to() == seq - 1) {
      lostRanges.removeLast();
      lostRanges.addLast(new SeqRange(last.from(), seq));
    } else {
      lostRanges.addLast(SeqRange.of(seq));
      if (lostRanges.size() > KEPT_RANGES) {
        lostRanges.removeFirst();
      }
    }
  }

  private boolean wasLost(long seq) {
    return lostRanges.stream().anyMatch(r -> r.contains(seq));
  }

  LedgerCommitment commitment(long seq) {
    List<SeqRange> all = new ArrayList<>(lostRanges);
    List<SeqRange> recent =
        all.subList(Math.max(0, all.size() - LedgerCommitment.MAX_RANGES), all.size());
    return new LedgerCommitment(seq, covered, lostTotal, chain, recent);
  }

  List<Long> missingNow() {
    return List.copyOf(missing.keySet());
  }

  void write(ByteWriter w) {
    w.u64(covered).u64(lostTotal).bytes(chain).u64(highestSeen);
    w.u16(ahead.size());
    for (Map.Entry<Long, byte[]> e : ahead.entrySet()) {
      w.u64(e.getKey()).u8(e.getValue().length).bytes(e.getValue());
    }
    w.u16(missing.size());
    for (Map.Entry<Long, Instant> e : missing.entrySet()) {
      w.u64(e.getKey()).u64(e.getValue().toEpochMilli());
    }
    w.u8(lostRanges.size());
    for (SeqRange r : lostRanges) {
      w.u64(r.from()).u64(r.to());
    }
  }

  static PeerLog read(ByteReader r) throws MalformedSessionDataException {
    PeerLog log = new PeerLog();
    log.covered = r.u64();
    log.lostTotal = r.u64();
    log.chain = r.bytes(LedgerCommitment.CHAIN_LENGTH);
    log.highestSeen = r.u64();
    if (log.lostTotal > log.covered
        || log.highestSeen < 0
        || log.highestSeen - log.covered > ConversationLedger.MAX_SPAN) {
      throw new MalformedSessionDataException("ledger state: inconsistent peer counters");
    }
    int n = r.u16();
    for (int i = 0; i < n; i++) {
      long seq = r.u64();
      int idLength = r.u8();
      if (!inSpan(log, seq) || idLength < 1 || idLength > ConversationLedger.MAX_ID_LENGTH) {
        throw new MalformedSessionDataException("ledger state: bad received message");
      }
      if (log.ahead.put(seq, r.bytes(idLength)) != null) {
        throw new MalformedSessionDataException("ledger state: repeated received message");
      }
    }
    int m = r.u16();
    for (int i = 0; i < m; i++) {
      long seq = r.u64();
      if (!inSpan(log, seq)
          || log.ahead.containsKey(seq)
          || log.missing.put(seq, Instant.ofEpochMilli(r.u64())) != null) {
        throw new MalformedSessionDataException("ledger state: bad missing message");
      }
    }
    int k = r.u8();
    if (k > KEPT_RANGES) {
      throw new MalformedSessionDataException("ledger state: too many lost ranges");
    }
    for (int i = 0; i < k; i++) {
      long from = r.u64();
      long to = r.u64();
      if (from < 1 || to < from || to > log.covered) {
        throw new MalformedSessionDataException("ledger state: bad lost range");
      }
      log.lostRanges.addLast(new SeqRange(from, to));
    }
    return log;
  }

  private static boolean inSpan(PeerLog log, long seq) {
    return seq > log.covered && seq <= log.highestSeen;
  }
}
