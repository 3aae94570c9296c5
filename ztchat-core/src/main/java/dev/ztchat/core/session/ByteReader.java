package dev.ztchat.core.session;

import java.util.Arrays;

/**
 * Strict big-endian reader over one encoding: every read checks the remaining length first, and
 * {@link #end()} refuses trailing bytes, so a decoder built on it accepts exactly one encoding.
 */
final class ByteReader {
  private final byte[] in;
  private final String what;
  private int pos;

  ByteReader(byte[] in, String what) {
    this.in = in.clone();
    this.what = what;
  }

  private void need(int n) throws MalformedSessionDataException {
    if (n < 0 || in.length - pos < n) {
      throw new MalformedSessionDataException(what + " is truncated");
    }
  }

  int u8() throws MalformedSessionDataException {
    need(1);
    return in[pos++] & 0xff;
  }

  int u16() throws MalformedSessionDataException {
    need(2);
    int v = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  long u32() throws MalformedSessionDataException {
    need(4);
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (in[pos + i] & 0xff);
    }
    pos += 4;
    return v;
  }

  long u64() throws MalformedSessionDataException {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (in[pos + i] & 0xff);
    }
    pos += 8;
    return v;
  }

  /** Moves past {@code n} bytes without copying them. */
  void skip(int n) throws MalformedSessionDataException {
    need(n);
    pos += n;
  }

  byte[] bytes(int n) throws MalformedSessionDataException {
    need(n);
    byte[] out = Arrays.copyOfRange(in, pos, pos + n);
    pos += n;
    return out;
  }

  /** A u16 length, checked against {@code min}..{@code max}, then that many bytes. */
  byte[] bytes16(int min, int max, String field) throws MalformedSessionDataException {
    int n = u16();
    if (n < min || n > max) {
      throw new MalformedSessionDataException(
          what
              + ": "
              + field
              + " of "
              + n
              + " bytes, not "
              + (min == max ? String.valueOf(min) : min + " to " + max));
    }
    return bytes(n);
  }

  /** How many bytes have been read. */
  int position() {
    return pos;
  }

  /**
   * A copy of input bytes already read, {@code from} inclusive to {@code to} exclusive, at the
   * start of a new array of {@code capacity} bytes (at least the range's length).
   */
  byte[] copyOfRange(int from, int to, int capacity) {
    if (from < 0 || to > pos || from > to || capacity < to - from) {
      throw new IllegalArgumentException("not a range already read");
    }
    byte[] out = new byte[capacity];
    System.arraycopy(in, from, out, 0, to - from);
    return out;
  }

  void end() throws MalformedSessionDataException {
    if (pos != in.length) {
      throw new MalformedSessionDataException(what + " has " + (in.length - pos) + " extra bytes");
    }
  }

  /** Clears this reader's copy of the input (for encodings that hold private keys). */
  void wipe() {
    Arrays.fill(in, (byte) 0);
  }
}
