package dev.ztchat.core.group;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Strict big-endian reading and writing for the group encodings (docs/v2/groups.md section 4). */
final class GroupBytes {
  private GroupBytes() {}

  /** A writer; every write checks its range so an encoding is always decodable. */
  static final class Out {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Out u8(int v) {
      if (v < 0 || v > 0xff) {
        throw new IllegalArgumentException("value " + v + " does not fit one byte");
      }
      out.write(v);
      return this;
    }

    Out u32(long v) {
      if (v < 0 || v > 0xffff_ffffL) {
        throw new IllegalArgumentException("value " + v + " does not fit four bytes");
      }
      for (int shift = 24; shift >= 0; shift -= 8) {
        out.write((int) (v >>> shift) & 0xff);
      }
      return this;
    }

    Out raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    /** u8 length, then the name's bytes (names are ASCII: docs/v2/groups.md section 4.1). */
    Out name(String name) {
      byte[] b = name.getBytes(StandardCharsets.US_ASCII);
      return u8(b.length).raw(b);
    }

    Out block(byte[] b) {
      return u32(b.length).raw(b);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  /** A reader over one encoding: truncation and, at {@link #end()}, trailing bytes are refused. */
  static final class In {
    private final byte[] in;
    private final String what;
    private int pos;

    In(byte[] in, String what) {
      this.in = in;
      this.what = what;
    }

    private void need(long n) throws MalformedGroupException {
      if (n < 0 || in.length - pos < n) {
        throw new MalformedGroupException(what + " is truncated");
      }
    }

    int u8() throws MalformedGroupException {
      need(1);
      return in[pos++] & 0xff;
    }

    long u32() throws MalformedGroupException {
      need(4);
      long v = 0;
      for (int i = 0; i < 4; i++) {
        v = (v << 8) | (in[pos + i] & 0xff);
      }
      pos += 4;
      return v;
    }

    byte[] raw(int n) throws MalformedGroupException {
      need(n);
      byte[] b = Arrays.copyOfRange(in, pos, pos + n);
      pos += n;
      return b;
    }

    byte[] block() throws MalformedGroupException {
      long n = u32();
      need(n);
      return raw((int) n);
    }

    /** A u8-length name; its bytes must be a valid user name (ASCII by the alphabet). */
    String name(String field) throws MalformedGroupException {
      int n = u8();
      byte[] b = raw(n);
      for (byte c : b) {
        if (c < 0x21 || c > 0x7e) {
          throw new MalformedGroupException(
              what + ": " + field + " holds a byte outside a-z 0-9 . _ -");
        }
      }
      return new String(b, StandardCharsets.US_ASCII);
    }

    byte[] rest() {
      byte[] b = Arrays.copyOfRange(in, pos, in.length);
      pos = in.length;
      return b;
    }

    void end() throws MalformedGroupException {
      if (pos != in.length) {
        throw new MalformedGroupException(what + " has " + (in.length - pos) + " trailing bytes");
      }
    }
  }
}
