package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One prekey as a device published it: its kind, its id and its whole encoding, which the relay
 * stores and hands out byte for byte (docs/v2/prekeys.md section 2). The relay checks only the
 * structure: {@code u8 kind | u32 id | u16 key_length | key | u16 signature_length | signature},
 * the key as long as the kind demands, a signature of {@value #MIN_SIGNATURE_LENGTH} to {@value
 * #MAX_SIGNATURE_LENGTH} bytes (an ECDSA P-256 signature in DER), nothing after it. It does not
 * verify the signature: the device that receives the bundle does.
 */
public final class PublishedPrekey {
  /** Shortest signature accepted (as the session library's decoder). */
  public static final int MIN_SIGNATURE_LENGTH = 8;

  /** Longest signature accepted: an ECDSA P-256 signature in DER is at most 72 bytes. */
  public static final int MAX_SIGNATURE_LENGTH = 72;

  /** Longest encoding of any kind. */
  public static final int MAX_LENGTH = 1 + 4 + 2 + 1184 + 2 + MAX_SIGNATURE_LENGTH;

  private final PrekeyKind kind;
  private final long id;
  private final byte[] encoded;

  private PublishedPrekey(PrekeyKind kind, long id, byte[] encoded) {
    this.kind = kind;
    this.id = id;
    this.encoded = encoded;
  }

  /**
   * Checks the structure of {@code encoded} as a prekey of kind {@code expected}.
   *
   * @throws PrekeyRefusedException ({@link PrekeyRefusedException.Reason#MALFORMED}) naming what is
   *     wrong
   */
  public static PublishedPrekey parse(byte[] encoded, PrekeyKind expected)
      throws PrekeyRefusedException {
    requireNonNull(encoded, "encoded");
    requireNonNull(expected, "expected");
    ByteBuffer b = ByteBuffer.wrap(encoded);
    if (b.remaining() < 1 + 4 + 2) {
      throw malformed("is truncated");
    }
    PrekeyKind kind = PrekeyKind.fromWire(Byte.toUnsignedInt(b.get()));
    if (kind == null) {
      throw malformed("has an unknown kind " + Byte.toUnsignedInt(encoded[0]));
    }
    if (kind != expected) {
      throw malformed("is of kind " + kind.wire() + ", not " + expected.wire());
    }
    long id = Integer.toUnsignedLong(b.getInt());
    int keyLength = Short.toUnsignedInt(b.getShort());
    if (keyLength != kind.keyLength()) {
      throw malformed("has a key of " + keyLength + " bytes, not " + kind.keyLength());
    }
    if (b.remaining() < keyLength + 2) {
      throw malformed("is truncated");
    }
    b.position(b.position() + keyLength);
    int signatureLength = Short.toUnsignedInt(b.getShort());
    if (signatureLength < MIN_SIGNATURE_LENGTH || signatureLength > MAX_SIGNATURE_LENGTH) {
      throw malformed(
          "has a signature of "
              + signatureLength
              + " bytes, not "
              + MIN_SIGNATURE_LENGTH
              + " to "
              + MAX_SIGNATURE_LENGTH);
    }
    if (b.remaining() < signatureLength) {
      throw malformed("is truncated");
    }
    if (b.remaining() > signatureLength) {
      throw malformed("has " + (b.remaining() - signatureLength) + " bytes after its signature");
    }
    return new PublishedPrekey(kind, id, encoded.clone());
  }

  /** A prekey read back from the store (it was parsed when published). */
  static PublishedPrekey stored(PrekeyKind kind, long id, byte[] encoded) {
    return new PublishedPrekey(kind, id, encoded);
  }

  private static PrekeyRefusedException malformed(String what) {
    return new PrekeyRefusedException(PrekeyRefusedException.Reason.MALFORMED, "prekey " + what);
  }

  public PrekeyKind kind() {
    return kind;
  }

  /** The prekey's id, 0 to 2^32-1. */
  public long id() {
    return id;
  }

  /** The id as the protocol writes it: 8 hex digits. */
  public static String idText(long id) {
    return HexFormat.of().toHexDigits((int) id);
  }

  /** The encoding the device published. */
  public byte[] encoded() {
    return encoded.clone();
  }

  boolean sameEncoding(byte[] other) {
    return Arrays.equals(encoded, other);
  }

  @Override
  public String toString() {
    return "PublishedPrekey[" + kind + " " + idText(id) + "]";
  }
}
