package dev.ztchat.core.session;

import java.util.Arrays;

/**
 * One of this device's messages that the peer has not confirmed yet, in the stored form of a {@link
 * ConversationLedger} (docs/v2/conversation-ledger.md section 7): its sequence number and its
 * entry, {@code seq (u64) || u8 len || id || sent_ms (u64)}. A store keeps each as a row of its
 * own, so that a message adds one small row instead of rewriting every unconfirmed id.
 */
public record LedgerEntry(long seq, byte[] body) {
  public LedgerEntry {
    if (seq < 1) {
      throw new IllegalArgumentException("sequence numbers start at 1");
    }
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The body without a copy, for this package's decoder. */
  byte[] bodyUnsafe() {
    return body;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LedgerEntry e && seq == e.seq && Arrays.equals(body, e.body);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seq) * 31 + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "LedgerEntry[" + seq + "]";
  }
}
