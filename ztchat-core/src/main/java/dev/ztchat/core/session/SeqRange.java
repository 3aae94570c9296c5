package dev.ztchat.core.session;

/**
 * An inclusive range {@code from..to} of message sequence numbers in one direction of a
 * conversation (sequence numbers start at 1).
 */
public record SeqRange(long from, long to) {
  public SeqRange {
    if (from < 1 || to < from) {
      throw new IllegalArgumentException("not a sequence range: " + from + ".." + to);
    }
  }

  public static SeqRange of(long seq) {
    return new SeqRange(seq, seq);
  }

  public long count() {
    return to - from + 1;
  }

  public boolean contains(long seq) {
    return seq >= from && seq <= to;
  }

  @Override
  public String toString() {
    return from == to ? "#" + from : "#" + from + "-#" + to;
  }
}
