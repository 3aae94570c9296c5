package dev.ztchat.core.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one message says about its conversation, as its sender has seen it (docs/v2/
 * conversation-ledger.md section 2): the message's own sequence number, and how much of the peer's
 * side the sender has accounted for: every peer message {@code 1..covered} either received or given
 * up as lost, {@code lostTotal} of them lost, the most recent lost ranges, and the hash chain over
 * them. The integrator puts {@link #encode()} inside the encrypted and authenticated content of the
 * message, so only the sender can have written it.
 */
public record LedgerCommitment(
    long seq, long covered, long lostTotal, byte[] chain, List<SeqRange> recentLost) {
  /** Encoding version byte. */
  public static final int VERSION = 1;

  /** At most this many lost ranges are carried (the most recent ones). */
  public static final int MAX_RANGES = 16;

  /** Length of the hash chain value (SHA-256). */
  public static final int CHAIN_LENGTH = 32;

  public LedgerCommitment {
    chain = chain.clone();
    recentLost = List.copyOf(recentLost);
    if (seq < 1 || covered < 0 || lostTotal < 0 || lostTotal > covered) {
      throw new IllegalArgumentException("inconsistent commitment counters");
    }
    if (chain.length != CHAIN_LENGTH) {
      throw new IllegalArgumentException("chain must be " + CHAIN_LENGTH + " bytes");
    }
    if (recentLost.size() > MAX_RANGES) {
      throw new IllegalArgumentException("at most " + MAX_RANGES + " lost ranges");
    }
    long previousTo = 0;
    long inRanges = 0;
    for (SeqRange r : recentLost) {
      if (previousTo != 0 && r.from() <= previousTo + 1) {
        throw new IllegalArgumentException("lost ranges must be ascending and not touch");
      }
      if (r.to() > covered) {
        throw new IllegalArgumentException("a lost range lies beyond the covered count");
      }
      previousTo = r.to();
      inRanges += r.count();
    }
    if (inRanges > lostTotal) {
      throw new IllegalArgumentException("lost ranges hold more than lostTotal");
    }
  }

  @Override
  public byte[] chain() {
    return chain.clone();
  }

  /**
   * {@code 01} version, {@code seq} u64, {@code covered} u64, {@code lostTotal} u64, the 32-byte
   * chain, a u8 range count, then each range as {@code from} u64 and {@code to} u64.
   */
  public byte[] encode() {
    ByteWriter w = new ByteWriter().u8(VERSION).u64(seq).u64(covered).u64(lostTotal).bytes(chain);
    w.u8(recentLost.size());
    for (SeqRange r : recentLost) {
      w.u64(r.from()).u64(r.to());
    }
    return w.toByteArray();
  }

  /** Strict decoder: refuses another version, truncation, trailing bytes and bad counters. */
  public static LedgerCommitment decode(byte[] bytes) throws MalformedSessionDataException {
    ByteReader r = new ByteReader(bytes, "ledger commitment");
    int version = r.u8();
    if (version != VERSION) {
      throw new MalformedSessionDataException("ledger commitment version " + version);
    }
    long seq = r.u64();
    long covered = r.u64();
    long lostTotal = r.u64();
    byte[] chain = r.bytes(CHAIN_LENGTH);
    int n = r.u8();
    if (n > MAX_RANGES) {
      throw new MalformedSessionDataException("ledger commitment has " + n + " lost ranges");
    }
    List<SeqRange> ranges = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long from = r.u64();
      long to = r.u64();
      if (from < 1 || to < from) {
        throw new MalformedSessionDataException("ledger commitment has a bad lost range");
      }
      ranges.add(new SeqRange(from, to));
    }
    r.end();
    try {
      return new LedgerCommitment(seq, covered, lostTotal, chain, ranges);
    } catch (IllegalArgumentException e) {
      throw new MalformedSessionDataException("ledger commitment: " + e.getMessage());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LedgerCommitment c
        && seq == c.seq
        && covered == c.covered
        && lostTotal == c.lostTotal
        && Arrays.equals(chain, c.chain)
        && recentLost.equals(c.recentLost);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seq) * 31 + Arrays.hashCode(chain);
  }

  @Override
  public String toString() {
    return "LedgerCommitment[seq=" + seq + ", covered=" + covered + ", lost=" + lostTotal + "]";
  }
}
