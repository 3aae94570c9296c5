package dev.ztchat.core.envelope;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The canonical binary encoding of envelopes (docs/PROTOCOL.md, section 5; how the signed and
 * associated-data bytes are used: section 6). The same object always encodes to the same bytes, and
 * decoding accepts only bytes that re-encode to themselves: no trailing data, no over-long fields,
 * strict UTF-8.
 *
 * <pre>
 * envelope  = header keys nonce ciphertext signature
 * header    = u8 version(=1) | str sender | u8 n | n * str recipient
 *             | i64 timestamp_ms | 16B message_id
 * keys      = u8 k | k * (str recipient | 32B key_id | bin wrapped_key)
 * nonce     = 12B
 * ciphertext= u32 length | bytes (AES-GCM output, tag included)
 * signature = bin
 * str       = u16 length | UTF-8 bytes;  bin = u16 length | bytes;  all integers big-endian
 * </pre>
 */
public final class EnvelopeCodec {
  /** Largest envelope this code will decode, whatever the frame limit. */
  public static final int MAX_ENVELOPE_BYTES = 1 << 20;

  private EnvelopeCodec() {}

  /**
   * The exact header bytes: the AES-GCM associated data, and the first part of the signed bytes.
   */
  public static byte[] encodeHeader(EnvelopeHeader header) {
    Out out = new Out();
    writeHeader(out, header);
    return out.toByteArray();
  }

  /**
   * The exact bytes the sender signs: everything in the envelope before the signature field. Only
   * the sealer and the opener sign and verify them; nothing outside this package needs them.
   */
  static byte[] signedBytes(
      EnvelopeHeader header, List<WrappedKey> keys, byte[] nonce, byte[] ciphertext) {
    Out out = new Out();
    writeHeader(out, header);
    out.u8(keys.size());
    for (WrappedKey key : keys) {
      out.str(key.recipient());
      out.raw(key.keyId());
      out.bin(key.wrapped());
    }
    out.raw(nonce);
    out.u32(ciphertext.length);
    out.raw(ciphertext);
    return out.toByteArray();
  }

  /** The signed bytes of an envelope already built. */
  static byte[] signedBytes(SealedEnvelope e) {
    return signedBytes(e.header(), e.keys(), e.nonce(), e.ciphertext());
  }

  /** The whole envelope. */
  public static byte[] encode(SealedEnvelope e) {
    Out out = new Out();
    out.raw(signedBytes(e));
    out.bin(e.signature());
    return out.toByteArray();
  }

  /** Parses an envelope strictly; every malformation is a {@link MalformedEnvelopeException}. */
  public static SealedEnvelope decode(byte[] bytes) throws MalformedEnvelopeException {
    In in = reader(bytes);
    try {
      EnvelopeHeader header = readHeader(in);
      int k = in.u8();
      List<WrappedKey> keys = new ArrayList<>(k);
      for (int i = 0; i < k; i++) {
        keys.add(new WrappedKey(in.str(), in.raw(WrappedKey.KEY_ID_BYTES), in.bin()));
      }
      byte[] nonce = in.raw(SealedEnvelope.NONCE_BYTES);
      long ctLen = in.u32();
      if (ctLen > in.remaining()) {
        throw new MalformedEnvelopeException("ciphertext length " + ctLen + " runs past the end");
      }
      byte[] ciphertext = in.raw((int) ctLen);
      byte[] signature = in.bin();
      if (in.remaining() != 0) {
        throw new MalformedEnvelopeException(
            in.remaining() + " unexpected bytes after the signature");
      }
      return new SealedEnvelope(header, keys, nonce, ciphertext, signature);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException(e.getMessage());
    }
  }

  /** Parses only the header (for routing); the rest must still be well-formed. */
  public static EnvelopeHeader decodeHeader(byte[] bytes) throws MalformedEnvelopeException {
    return decode(bytes).header();
  }

  /**
   * Parses an envelope as the relay must before storing it (docs/PROTOCOL.md section 5): strictly,
   * and the names of its key entries must be exactly the header's recipients, each recipient with
   * at least one key entry and no key entry for anyone else.
   */
  public static EnvelopeHeader decodeRoutable(byte[] bytes) throws MalformedEnvelopeException {
    SealedEnvelope e = decode(bytes);
    Set<String> keyNames = new LinkedHashSet<>();
    e.keys().forEach(k -> keyNames.add(k.recipient()));
    Set<String> recipients = new LinkedHashSet<>(e.header().recipients());
    for (String r : recipients) {
      if (!keyNames.contains(r)) {
        throw new MalformedEnvelopeException("recipient " + r + " has no key entry");
      }
    }
    for (String k : keyNames) {
      if (!recipients.contains(k)) {
        throw new MalformedEnvelopeException("a key entry names " + k + ", who is not a recipient");
      }
    }
    return e.header();
  }

  private static void writeHeader(Out out, EnvelopeHeader h) {
    out.u8(h.version());
    out.str(h.sender());
    out.u8(h.recipients().size());
    h.recipients().forEach(out::str);
    out.i64(h.timestampMillis());
    out.raw(h.messageId());
  }

  private static EnvelopeHeader readHeader(In in) throws MalformedEnvelopeException {
    RoutingPrefix p = readPrefix(in, EnvelopeHeader.VERSION);
    return new EnvelopeHeader(
        p.version(), p.sender(), p.recipients(), p.timestampMillis(), p.messageId());
  }

  /**
   * A reader over an encoded envelope of any version, after the checks every version shares: not
   * empty, at most {@link #MAX_ENVELOPE_BYTES}.
   */
  static In reader(byte[] bytes) throws MalformedEnvelopeException {
    if (bytes == null || bytes.length == 0) {
      throw new MalformedEnvelopeException("envelope is empty");
    }
    if (bytes.length > MAX_ENVELOPE_BYTES) {
      throw new MalformedEnvelopeException(
          "envelope is larger than " + MAX_ENVELOPE_BYTES + " bytes");
    }
    return new In(ByteBuffer.wrap(bytes));
  }

  /**
   * The routing prefix at the start of an envelope of version {@code expected}, without decoding
   * the rest (which may still be malformed): for a receiver that must know sender and id before it
   * opens the envelope.
   */
  static RoutingPrefix decodePrefix(byte[] bytes, int expected) throws MalformedEnvelopeException {
    In in = reader(bytes);
    try {
      return readPrefix(in, expected);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException(e.getMessage());
    }
  }

  /**
   * Writes a routing prefix: the same bytes in every version (docs/v2/envelope.md section 2), the
   * header of version 1.
   */
  static void writePrefix(Out out, RoutingPrefix p) {
    out.u8(p.version());
    out.str(p.sender());
    out.u8(p.recipients().size());
    p.recipients().forEach(out::str);
    out.i64(p.timestampMillis());
    out.raw(p.messageId());
  }

  /**
   * Reads a routing prefix of version {@code expected}; a name or count that breaks the rules is an
   * {@link IllegalArgumentException} from {@link RoutingPrefix}, which callers turn into a {@link
   * MalformedEnvelopeException} with its message.
   */
  static RoutingPrefix readPrefix(In in, int expected) throws MalformedEnvelopeException {
    int version = in.u8();
    if (version != expected) {
      throw new MalformedEnvelopeException("unsupported envelope version " + version);
    }
    String sender = in.str();
    int n = in.u8();
    List<String> recipients = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      recipients.add(in.str());
    }
    long timestamp = in.i64();
    byte[] id = in.raw(EnvelopeHeader.MESSAGE_ID_BYTES);
    return new RoutingPrefix(version, sender, recipients, timestamp, id);
  }

  /** A growing byte array with big-endian writers (unsynchronized: each encoding has its own). */
  static final class Out {
    private byte[] buf = new byte[128];
    private int count;

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
      }
    }

    private void put(int v) {
      ensure(1);
      buf[count++] = (byte) v;
    }

    void u8(int v) {
      if (v < 0 || v > 0xff) {
        throw new IllegalArgumentException("value " + v + " does not fit in one byte");
      }
      put(v);
    }

    void u16(int v) {
      if (v < 0 || v > 0xffff) {
        throw new IllegalArgumentException("length " + v + " does not fit in two bytes");
      }
      put(v >>> 8);
      put(v);
    }

    void u32(long v) {
      for (int shift = 24; shift >= 0; shift -= 8) {
        put((int) (v >>> shift));
      }
    }

    void i64(long v) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        put((int) (v >>> shift));
      }
    }

    void raw(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, count, b.length);
      count += b.length;
    }

    void bin(byte[] b) {
      u16(b.length);
      raw(b);
    }

    void str(String s) {
      bin(s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, count);
    }
  }

  static final class In {
    private final ByteBuffer b;

    In(ByteBuffer b) {
      this.b = b;
    }

    int remaining() {
      return b.remaining();
    }

    private void need(int n) throws MalformedEnvelopeException {
      if (b.remaining() < n) {
        throw new MalformedEnvelopeException("envelope is truncated");
      }
    }

    int u8() throws MalformedEnvelopeException {
      need(1);
      return b.get() & 0xff;
    }

    int u16() throws MalformedEnvelopeException {
      need(2);
      return b.getShort() & 0xffff;
    }

    long u32() throws MalformedEnvelopeException {
      need(4);
      return b.getInt() & 0xffffffffL;
    }

    long i64() throws MalformedEnvelopeException {
      need(8);
      return b.getLong();
    }

    byte[] raw(int n) throws MalformedEnvelopeException {
      need(n);
      byte[] out = new byte[n];
      b.get(out);
      return out;
    }

    byte[] bin() throws MalformedEnvelopeException {
      return raw(u16());
    }

    String str() throws MalformedEnvelopeException {
      byte[] bytes = bin();
      String text = StrictUtf8.decode(bytes, 0, bytes.length);
      if (text == null) {
        throw new MalformedEnvelopeException("a name in the envelope is not valid UTF-8");
      }
      return text;
    }
  }
}
