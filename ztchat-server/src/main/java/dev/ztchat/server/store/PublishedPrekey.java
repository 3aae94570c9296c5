package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.MalformedSessionDataException;
import dev.ztchat.core.session.PrekeyKind;
import dev.ztchat.core.session.SignedPrekey;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One prekey as a device published it: its kind, its id and its whole encoding, which the relay
 * stores and hands out byte for byte (docs/v2/prekeys.md section 2). The relay checks only the
 * structure with the session library's decoder ({@link SignedPrekey#decode}): {@code u8 kind | u32
 * id | u16 key_length | key | u16 signature_length | signature}, the key as long as the kind
 * demands, a signature of {@value DeviceKey#MIN_SIGNATURE_LENGTH} to {@value
 * DeviceKey#MAX_SIGNATURE_LENGTH} bytes (an ECDSA P-256 signature in DER), nothing after it. It
 * does not verify the signature: the device that receives the bundle does.
 */
public final class PublishedPrekey {
  /** Longest encoding of any kind. */
  public static final int MAX_LENGTH =
      1 + 4 + 2 + MlKem768.ENCAPSULATION_KEY_BYTES + 2 + DeviceKey.MAX_SIGNATURE_LENGTH;

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
    SignedPrekey prekey;
    try {
      prekey = SignedPrekey.decode(encoded);
    } catch (MalformedSessionDataException e) {
      throw new PrekeyRefusedException(PrekeyRefusedException.Reason.MALFORMED, e.getMessage());
    }
    PrekeyKind kind = prekey.kind();
    long id = prekey.id();
    if (kind != expected) {
      throw malformed("is of kind " + kind.code() + ", not " + expected.code());
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
