package dev.ztchat.core.session;

import java.io.ByteArrayOutputStream;

/** Big-endian writer, the counterpart of {@link ByteReader}. */
final class ByteWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  ByteWriter u8(int v) {
    if (v < 0 || v > 0xff) {
      throw new IllegalArgumentException("u8 out of range: " + v);
    }
    out.write(v);
    return this;
  }

  ByteWriter u16(int v) {
    if (v < 0 || v > 0xffff) {
      throw new IllegalArgumentException("u16 out of range: " + v);
    }
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  ByteWriter u32(long v) {
    if (v < 0 || v > 0xffffffffL) {
      throw new IllegalArgumentException("u32 out of range: " + v);
    }
    for (int i = 3; i >= 0; i--) {
      out.write((int) (v >>> (8 * i)));
    }
    return this;
  }

  ByteWriter u64(long v) {
    for (int i = 7; i >= 0; i--) {
      out.write((int) (v >>> (8 * i)));
    }
    return this;
  }

  ByteWriter bytes(byte[] b) {
    out.write(b, 0, b.length);
    return this;
  }

  ByteWriter bytes16(byte[] b) {
    return u16(b.length).bytes(b);
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
