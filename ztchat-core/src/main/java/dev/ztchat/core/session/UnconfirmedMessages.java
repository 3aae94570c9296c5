package dev.ztchat.core.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The user's own messages the peer has not confirmed yet, oldest first, kept in the bytes of their
 * stored form ({@code u64 seq | u8 id_len | id | u64 sent_at_ms} each,
 * docs/v2/conversation-ledger.md section 7) rather than as objects. A sender whose peer is offline
 * has up to {@link ConversationLedger#MAX_UNCONFIRMED} of these; a store keeps each as a {@link
 * LedgerEntry} row of its own, so a message adds one entry and never rewrites the others. Loading
 * is one pass of checks and one copy; entries become objects only when a commitment is checked
 * against them. Not thread-safe.
 */
final class UnconfirmedMessages implements Iterable<UnconfirmedMessages.Sent> {
  /** One unconfirmed message: its sequence number, id and when it was sealed. */
  record Sent(long seq, byte[] id, Instant at) {}

  private static final int FIXED = 8 + 1 + 8;

  private byte[] buffer;
  private int start;
  private int end;
  private int count;

  UnconfirmedMessages() {
    this(new byte[256], 0, 0);
  }

  private UnconfirmedMessages(byte[] buffer, int end, int count) {
    this.buffer = buffer;
    this.end = end;
    this.count = count;
  }

  int size() {
    return count;
  }

  boolean isEmpty() {
    return count == 0;
  }

  /** Appends an entry and returns it in its stored form. */
  LedgerEntry addLast(long seq, byte[] id, Instant at) {
    int length = FIXED + id.length;
    if (buffer.length - end < length) {
      compactFor(length);
    }
    putLong(seq, end);
    buffer[end + 8] = (byte) id.length;
    System.arraycopy(id, 0, buffer, end + 9, id.length);
    putLong(at.toEpochMilli(), end + 9 + id.length);
    LedgerEntry entry = new LedgerEntry(seq, Arrays.copyOfRange(buffer, end, end + length));
    end += length;
    count++;
    return entry;
  }

  /**
   * The sequence number of the entry whose id is {@code id}, or -1 when none has it; compared in
   * place, without copying an entry.
   */
  long seqOf(byte[] id) {
    int at = start;
    for (int i = 0; i < count; i++) {
      int idLength = buffer[at + 8] & 0xFF;
      if (idLength == id.length
          && Arrays.equals(buffer, at + 9, at + 9 + idLength, id, 0, id.length)) {
        return getLong(at);
      }
      at += FIXED + idLength;
    }
    return -1;
  }

  /** Every entry in its stored form, oldest first. */
  List<LedgerEntry> entries() {
    List<LedgerEntry> out = new ArrayList<>(count);
    int at = start;
    for (int i = 0; i < count; i++) {
      int length = FIXED + (buffer[at + 8] & 0xFF);
      out.add(new LedgerEntry(getLong(at), Arrays.copyOfRange(buffer, at, at + length)));
      at += length;
    }
    return out;
  }

  /** The oldest entry's sequence number. */
  long firstSeq() {
    if (count == 0) {
      throw new NoSuchElementException();
    }
    return getLong(start);
  }

  /** Drops the oldest entry and returns its sequence number. */
  long removeFirst() {
    long seq = firstSeq();
    start += FIXED + (buffer[start + 8] & 0xFF);
    count--;
    if (count == 0) {
      start = 0;
      end = 0;
    }
    return seq;
  }

  @Override
  public Iterator<Sent> iterator() {
    return new Iterator<>() {
      private int at = start;
      private int left = count;

      @Override
      public boolean hasNext() {
        return left > 0;
      }

      @Override
      public Sent next() {
        if (left == 0) {
          throw new NoSuchElementException();
        }
        int idLength = buffer[at + 8] & 0xFF;
        Sent s =
            new Sent(
                getLong(at),
                Arrays.copyOfRange(buffer, at + 9, at + 9 + idLength),
                Instant.ofEpochMilli(getLong(at + 9 + idLength)));
        at += FIXED + idLength;
        left--;
        return s;
      }
    };
  }

  /** Bytes {@link #write} adds. */
  int encodedLength() {
    return 2 + end - start;
  }

  /** {@code u16 count}, then the entries as stored. */
  void write(ByteWriter w) {
    w.u16(count).bytes(buffer, start, end - start);
  }

  /**
   * Reads {@code n} entries whose sequence numbers must run on from {@code firstSeq}, each id of 1
   * to {@link ConversationLedger#MAX_ID_LENGTH} bytes.
   */
  static UnconfirmedMessages read(ByteReader r, int n, long firstSeq)
      throws MalformedSessionDataException {
    int from = r.position();
    long expected = firstSeq;
    for (int i = 0; i < n; i++) {
      long seq = r.u64();
      int idLength = r.u8();
      if (seq != expected++ || idLength < 1 || idLength > ConversationLedger.MAX_ID_LENGTH) {
        throw new MalformedSessionDataException("ledger state: bad unconfirmed message");
      }
      r.skip(idLength + 8); // the id and the time, both free-form
    }
    int length = r.position() - from;
    // Room to append a quarter more before the buffer is compacted or grown.
    byte[] buffer = r.copyOfRange(from, r.position(), Math.max(256, length + length / 4));
    return new UnconfirmedMessages(buffer, length, n);
  }

  /**
   * The entries a store kept as rows, in order: each must be exactly one entry whose sequence
   * number is its row's, running on from {@code firstSeq}, with an id of 1 to {@link
   * ConversationLedger#MAX_ID_LENGTH} bytes.
   */
  static UnconfirmedMessages fromEntries(List<LedgerEntry> entries, long firstSeq)
      throws MalformedSessionDataException {
    ByteWriter all = new ByteWriter(Math.max(256, entries.size() * (FIXED + 16) * 5 / 4));
    long expected = firstSeq;
    for (LedgerEntry e : entries) {
      byte[] body = e.bodyUnsafe();
      ByteReader r = new ByteReader(body, "ledger entry");
      if (e.seq() != expected) {
        throw new MalformedSessionDataException("ledger state: bad unconfirmed message");
      }
      read(r, 1, expected++);
      r.end();
      all.bytes(body);
    }
    byte[] buffer = all.toByteArray();
    int length = buffer.length;
    return new UnconfirmedMessages(
        Arrays.copyOf(buffer, Math.max(256, length + length / 4)), length, entries.size());
  }

  /** Makes room for {@code length} more bytes: drops what was removed, grows if still short. */
  private void compactFor(int length) {
    int used = end - start;
    byte[] target =
        buffer.length - used < length
            ? new byte[Math.max(buffer.length * 2, used + length)]
            : buffer;
    System.arraycopy(buffer, start, target, 0, used);
    buffer = target;
    start = 0;
    end = used;
  }

  private void putLong(long v, int at) {
    for (int i = 0; i < 8; i++) {
      buffer[at + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  private long getLong(int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buffer[at + i] & 0xFF);
    }
    return v;
  }
}
