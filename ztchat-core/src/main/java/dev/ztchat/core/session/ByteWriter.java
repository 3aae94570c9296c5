package dev.ztchat.core.session;

import java.util.Arrays;

/**
 * Big-endian writer, the counterpart of {@link ByteReader}. A plain growing array: a conversation
 * ledger of a few thousand entries is written on every message, so no per-byte locking or checks.
 */
final class ByteWriter {
  private byte[] buffer;
  private int length;

  ByteWriter() {
    this(256);
  }

  /** A writer whose first {@code capacity} bytes need no growing. */
  ByteWriter(int capacity) {
    buffer = new byte[Math.max(16, capacity)];
  }

  ByteWriter u8(int v) {
    if (v < 0 || v > 0xff) {
      throw new IllegalArgumentException("u8 out of range: " + v);
    }
    room(1);
    buffer[length++] = (byte) v;
    return this;
  }

  ByteWriter u16(int v) {
    if (v < 0 || v > 0xffff) {
      throw new IllegalArgumentException("u16 out of range: " + v);
    }
    return big(v, 2);
  }

  ByteWriter u32(long v) {
    if (v < 0 || v > 0xffffffffL) {
      throw new IllegalArgumentException("u32 out of range: " + v);
    }
    return big(v, 4);
  }

  ByteWriter u64(long v) {
    return big(v, 8);
  }

  ByteWriter bytes(byte[] b) {
    return bytes(b, 0, b.length);
  }

  ByteWriter bytes(byte[] b, int offset, int count) {
    room(count);
    System.arraycopy(b, offset, buffer, length, count);
    length += count;
    return this;
  }

  ByteWriter bytes16(byte[] b) {
    return u16(b.length).bytes(b);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buffer, length);
  }

  /** The low {@code n} bytes of {@code v}, most significant first. */
  private ByteWriter big(long v, int n) {
    room(n);
    for (int i = n - 1; i >= 0; i--) {
      buffer[length++] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  private void room(int n) {
    if (buffer.length - length < n) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + n));
    }
  }
}
