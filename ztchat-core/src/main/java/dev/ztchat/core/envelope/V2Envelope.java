package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A version-2 envelope as it travels (docs/v2/envelope.md section 2): the routing prefix, a body
 * that only the recipients' devices can interpret, and the sender's signature over every byte
 * before it. This class knows the layout and nothing of the body's contents or of the signature's
 * algorithm; the v2 sealer and opener build and check those.
 *
 * <pre>
 * envelope  = prefix body signature
 * prefix    = u8 version(=2) | str sender | u8 n | n * str recipient
 *             | i64 timestamp_ms | 16B message_id
 * body      = u32 length (at least 1) | bytes
 * signature = u16 length (at least 1) | bytes
 * </pre>
 *
 * <p>Security guarantees: none by itself. Decoding accepts only the canonical encoding (no trailing
 * bytes, no truncation, strict UTF-8, valid names); holding a decoded envelope says nothing about
 * who made it until the opener verified {@link #signature()} over {@link #signedBytes()}.
 *
 * <p>Immutable: the constructor copies the caller's arrays and the accessors return copies; an
 * envelope {@link #decode}d holds the arrays it read, which nobody else can reach, and {@link
 * #bodyView()} reads its body without a copy.
 */
public final class V2Envelope {
  /** The version byte of this layout. */
  public static final int VERSION = 2;

  private final RoutingPrefix prefix;
  private final byte[] body;
  private final byte[] signature;

  /** An envelope of {@code prefix}, {@code body} and {@code signature} (both copied). */
  public V2Envelope(RoutingPrefix prefix, byte[] body, byte[] signature) {
    this(prefix, body, signature, true);
  }

  /**
   * With {@code copy} false, takes {@code body} and {@code signature} as they are: for the decoder,
   * which made them and lets go of them.
   */
  private V2Envelope(RoutingPrefix prefix, byte[] body, byte[] signature, boolean copy) {
    requireNonNull(prefix, "prefix");
    requireNonNull(body, "body");
    requireNonNull(signature, "signature");
    if (prefix.version() != VERSION) {
      throw new IllegalArgumentException("unsupported envelope version " + prefix.version());
    }
    if (body.length == 0) {
      throw new IllegalArgumentException("the body is empty");
    }
    if (signature.length == 0) {
      throw new IllegalArgumentException("signature is empty");
    }
    if (signature.length > 0xffff) {
      throw new IllegalArgumentException("signature is longer than 65535 bytes");
    }
    this.prefix = prefix;
    this.body = copy ? body.clone() : body;
    this.signature = copy ? signature.clone() : signature;
  }

  public RoutingPrefix prefix() {
    return prefix;
  }

  /** The exact bytes the sender signs: the prefix and the body, length included. */
  public static byte[] signedBytes(RoutingPrefix prefix, byte[] body) {
    return signedBytes(encodePrefix(prefix), body);
  }

  /**
   * As {@link #signedBytes(RoutingPrefix, byte[])}, from the prefix as {@link #encodePrefix}
   * encoded it: one array of the exact length, for a sealer that has the encoded prefix already.
   */
  public static byte[] signedBytes(byte[] encodedPrefix, byte[] body) {
    return signedBytes(encodedPrefix, body, 0);
  }

  /** The signed bytes followed by {@code spare} bytes of room. */
  private static byte[] signedBytes(byte[] encodedPrefix, byte[] body, int spare) {
    byte[] out = new byte[encodedPrefix.length + 4 + body.length + spare];
    System.arraycopy(encodedPrefix, 0, out, 0, encodedPrefix.length);
    int at = encodedPrefix.length;
    out[at] = (byte) (body.length >>> 24);
    out[at + 1] = (byte) (body.length >>> 16);
    out[at + 2] = (byte) (body.length >>> 8);
    out[at + 3] = (byte) body.length;
    System.arraycopy(body, 0, out, at + 4, body.length);
    return out;
  }

  /** The signed bytes of this envelope. */
  public byte[] signedBytes() {
    return signedBytes(prefix, body);
  }

  /** The exact encoded prefix (the associated data a v2 body's AEAD binds). */
  public static byte[] encodePrefix(RoutingPrefix prefix) {
    EnvelopeCodec.Out out = new EnvelopeCodec.Out();
    EnvelopeCodec.writePrefix(out, prefix);
    return out.toByteArray();
  }

  /**
   * The encoded prefix of {@code envelope}, the bytes {@code decoded} was decoded from: decoding
   * accepts only the canonical encoding, so they start with exactly {@link #encodePrefix} of its
   * prefix, which is copied out instead of encoded again.
   */
  public static byte[] encodedPrefix(byte[] envelope, V2Envelope decoded) {
    int length = envelope.length - 2 - decoded.signature.length - 4 - decoded.body.length;
    if (length < 1 || envelope[0] != VERSION) {
      throw new IllegalArgumentException("not the encoding of this envelope");
    }
    return Arrays.copyOf(envelope, length);
  }

  /**
   * The length of the encoding of an envelope with this encoded prefix, body and signature (what a
   * sealer checks against the relay's limit before it signs).
   */
  public static int encodedLength(byte[] encodedPrefix, int bodyLength, int signatureLength) {
    return encodedPrefix.length + 4 + bodyLength + 2 + signatureLength;
  }

  /** The whole envelope, built in one array of its exact length. */
  public byte[] encode() {
    byte[] out = signedBytes(encodePrefix(prefix), body, 2 + signature.length);
    int at = out.length - 2 - signature.length;
    out[at] = (byte) (signature.length >>> 8);
    out[at + 1] = (byte) signature.length;
    System.arraycopy(signature, 0, out, at + 2, signature.length);
    return out;
  }

  /**
   * Parses a version-2 envelope strictly; every malformation is a {@link
   * MalformedEnvelopeException} that says which rule it breaks.
   */
  public static V2Envelope decode(byte[] bytes) throws MalformedEnvelopeException {
    EnvelopeCodec.In in = EnvelopeCodec.reader(bytes);
    try {
      RoutingPrefix prefix = EnvelopeCodec.readPrefix(in, VERSION);
      long bodyLength = in.u32();
      if (bodyLength == 0) {
        throw new MalformedEnvelopeException("the body is empty");
      }
      if (bodyLength > in.remaining()) {
        throw new MalformedEnvelopeException("body length " + bodyLength + " runs past the end");
      }
      byte[] body = in.raw((int) bodyLength);
      byte[] signature = in.bin();
      if (signature.length == 0) {
        throw new MalformedEnvelopeException("signature is empty");
      }
      if (in.remaining() != 0) {
        throw new MalformedEnvelopeException(
            in.remaining() + " unexpected bytes after the signature");
      }
      return new V2Envelope(prefix, body, signature, false);
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException(e.getMessage());
    }
  }

  /** The body, a copy. */
  public byte[] body() {
    return body.clone();
  }

  /** The body without a copy: a read-only buffer over it, positioned at its start. */
  public ByteBuffer bodyView() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
  }

  /** The signature, a copy. */
  public byte[] signature() {
    return signature.clone();
  }

  /** The signature's length in bytes. */
  public int signatureLength() {
    return signature.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof V2Envelope e
        && prefix.equals(e.prefix)
        && Arrays.equals(body, e.body)
        && Arrays.equals(signature, e.signature);
  }

  @Override
  public int hashCode() {
    return prefix.hashCode();
  }

  @Override
  public String toString() {
    return "V2Envelope[" + prefix + ", " + body.length + " body bytes]";
  }
}
