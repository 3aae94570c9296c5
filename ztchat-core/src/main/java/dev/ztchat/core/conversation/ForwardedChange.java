package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.group.MalformedGroupException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A group change as a device that joins late receives it from a fellow device (docs/v2/groups.md
 * section 6.6): the author device's certificate, the version-2 envelope that carried the change
 * exactly as it was signed, and that envelope's content key.
 *
 * <p>Security guarantees: none by itself. Holding one says nothing until {@link
 * ForwardedChangeVerifier} checked the author's certificate and signature and opened the content
 * with the key. Warning: {@link #contentKey()} is key material; {@link #toString()} never shows it,
 * and a caller that is done with it should {@link #destroy()} it.
 */
public final class ForwardedChange {
  /** The format byte of this encoding. */
  public static final int FORMAT = 1;

  /** Longest certificate (as docs/v2/messages.md section 3.2 allows in a body). */
  public static final int MAX_CERTIFICATE_BYTES = 2048;

  /** Longest envelope a record carries. */
  public static final int MAX_ENVELOPE_BYTES = 1 << 20;

  private static final int KEY_BYTES = V2Crypto.CONTENT_KEY_BYTES;

  private final byte[] certificate;
  private final byte[] envelope;
  private final byte[] contentKey;

  /**
   * A record of {@code envelope}, signed by the device of {@code certificate}, opened by {@code
   * contentKey}.
   */
  public ForwardedChange(byte[] certificate, byte[] envelope, byte[] contentKey) {
    requireNonNull(certificate, "certificate");
    requireNonNull(envelope, "envelope");
    requireNonNull(contentKey, "contentKey");
    if (certificate.length == 0 || certificate.length > MAX_CERTIFICATE_BYTES) {
      throw new IllegalArgumentException(
          "a certificate of 1 to " + MAX_CERTIFICATE_BYTES + " bytes, not " + certificate.length);
    }
    if (envelope.length == 0 || envelope.length > MAX_ENVELOPE_BYTES) {
      throw new IllegalArgumentException(
          "an envelope of 1 to " + MAX_ENVELOPE_BYTES + " bytes, not " + envelope.length);
    }
    if (contentKey.length != KEY_BYTES) {
      throw new IllegalArgumentException("a content key of " + KEY_BYTES + " bytes");
    }
    this.certificate = certificate.clone();
    this.envelope = envelope.clone();
    this.contentKey = contentKey.clone();
  }

  /** The author device's certificate (DER). */
  public byte[] certificate() {
    return certificate.clone();
  }

  /** The envelope as its author signed it. */
  public byte[] envelope() {
    return envelope.clone();
  }

  /** The envelope's content key. Key material: zero the copy after use. */
  public byte[] contentKey() {
    return contentKey.clone();
  }

  /** Zeroes the content key held here. */
  public void destroy() {
    Arrays.fill(contentKey, (byte) 0);
  }

  /** {@code u8 format | u16 cert_len | cert | u32 env_len | envelope | 32 K}. */
  public byte[] encode() {
    ByteBuffer out =
        ByteBuffer.allocate(1 + 2 + certificate.length + 4 + envelope.length + KEY_BYTES);
    out.put((byte) FORMAT);
    out.putShort((short) certificate.length);
    out.put(certificate);
    out.putInt(envelope.length);
    out.put(envelope);
    out.put(contentKey);
    return out.array();
  }

  /**
   * Parses {@link #encode()}'s layout strictly: the format, the lengths in range, no truncation and
   * nothing after the key.
   */
  public static ForwardedChange decode(byte[] bytes) throws MalformedGroupException {
    requireNonNull(bytes, "bytes");
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int format = Byte.toUnsignedInt(in.get());
      if (format != FORMAT) {
        throw new MalformedGroupException("unknown forwarded change format " + format);
      }
      int certLength = Short.toUnsignedInt(in.getShort());
      if (certLength == 0 || certLength > MAX_CERTIFICATE_BYTES) {
        throw new MalformedGroupException(
            "the forwarded change's certificate length " + certLength + " is out of range");
      }
      byte[] cert = take(in, certLength);
      long envLength = Integer.toUnsignedLong(in.getInt());
      if (envLength == 0 || envLength > MAX_ENVELOPE_BYTES) {
        throw new MalformedGroupException(
            "the forwarded change's envelope length " + envLength + " is out of range");
      }
      byte[] envelope = take(in, (int) envLength);
      byte[] key = take(in, KEY_BYTES);
      if (in.hasRemaining()) {
        throw new MalformedGroupException(
            in.remaining() + " unexpected bytes after the forwarded change");
      }
      try {
        return new ForwardedChange(cert, envelope, key);
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    } catch (BufferUnderflowException e) {
      throw new MalformedGroupException("the forwarded change is truncated");
    }
  }

  private static byte[] take(ByteBuffer in, int length) throws MalformedGroupException {
    if (length > in.remaining()) {
      throw new MalformedGroupException("the forwarded change is truncated");
    }
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }

  @Override
  public String toString() {
    return "ForwardedChange[" + envelope.length + " envelope bytes]";
  }
}
