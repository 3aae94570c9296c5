package dev.ztchat.core.ratchet;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The header in front of every ratchet message (docs/v2/ratchet.md section 3): the sender's current
 * ratchet public key, the length of its previous sending chain, the message's number in the current
 * chain, and the post-quantum fields of the chain. It travels in the clear and is authenticated as
 * associated data.
 *
 * @param dh the sender's ratchet public key, 32 bytes
 * @param pn the number of messages in the sender's previous sending chain (0 to 2^32-1)
 * @param n the number of this message in the current sending chain (0 to 2^32-1)
 * @param kemCiphertext the ML-KEM-768 ciphertext to the receiver's announced key, or null
 * @param kemKey the sender's announced ML-KEM-768 encapsulation key, or null
 */
record RatchetHeader(byte[] dh, long pn, long n, byte[] kemCiphertext, byte[] kemKey) {
  static final byte VERSION = 0x01;
  static final int FLAG_KEM_CIPHERTEXT = 0x01;
  static final int FLAG_KEM_KEY = 0x02;

  /** Version, flags, public key, PN and N. */
  static final int FIXED_BYTES = 1 + 1 + X25519.KEY_BYTES + 4 + 4;

  static final long MAX_COUNTER = 0xFFFF_FFFFL;

  RatchetHeader {
    requireNonNull(dh, "dh");
    if (dh.length != X25519.KEY_BYTES) {
      throw new IllegalArgumentException("a ratchet public key is 32 bytes");
    }
    if (pn < 0 || pn > MAX_COUNTER || n < 0 || n > MAX_COUNTER) {
      throw new IllegalArgumentException("PN and N are unsigned 32-bit numbers");
    }
    if (kemCiphertext != null && kemCiphertext.length != MlKem768.CIPHERTEXT_BYTES) {
      throw new IllegalArgumentException("an ML-KEM-768 ciphertext is 1088 bytes");
    }
    if (kemKey != null && kemKey.length != MlKem768.ENCAPSULATION_KEY_BYTES) {
      throw new IllegalArgumentException("an ML-KEM-768 encapsulation key is 1184 bytes");
    }
  }

  /** The encoded length of this header. */
  int length() {
    return FIXED_BYTES
        + (kemCiphertext == null ? 0 : MlKem768.CIPHERTEXT_BYTES)
        + (kemKey == null ? 0 : MlKem768.ENCAPSULATION_KEY_BYTES);
  }

  byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(length());
    out.put(VERSION);
    out.put(
        (byte)
            ((kemCiphertext == null ? 0 : FLAG_KEM_CIPHERTEXT)
                | (kemKey == null ? 0 : FLAG_KEM_KEY)));
    out.put(dh);
    out.putInt((int) pn);
    out.putInt((int) n);
    if (kemCiphertext != null) {
      out.put(kemCiphertext);
    }
    if (kemKey != null) {
      out.put(kemKey);
    }
    return out.array();
  }

  /**
   * The header at the start of {@code message}; the bytes after {@link #length()} are the
   * ciphertext, which must hold at least the GCM tag.
   */
  static RatchetHeader decode(byte[] message) throws RatchetException {
    if (message.length < FIXED_BYTES) {
      throw malformed("shorter than a header");
    }
    if (message[0] != VERSION) {
      throw malformed("unknown header version " + (message[0] & 0xFF));
    }
    int flags = message[1] & 0xFF;
    if ((flags & ~(FLAG_KEM_CIPHERTEXT | FLAG_KEM_KEY)) != 0) {
      throw malformed("unknown header flags " + flags);
    }
    ByteBuffer in = ByteBuffer.wrap(message, 2, message.length - 2);
    byte[] dh = take(in, X25519.KEY_BYTES);
    long pn = Integer.toUnsignedLong(in.getInt());
    long n = Integer.toUnsignedLong(in.getInt());
    int rest =
        ((flags & FLAG_KEM_CIPHERTEXT) != 0 ? MlKem768.CIPHERTEXT_BYTES : 0)
            + ((flags & FLAG_KEM_KEY) != 0 ? MlKem768.ENCAPSULATION_KEY_BYTES : 0);
    if (in.remaining() < rest + RatchetKdf.GCM_TAG_BYTES) {
      throw malformed("shorter than its header and a tag");
    }
    byte[] ciphertext =
        (flags & FLAG_KEM_CIPHERTEXT) != 0 ? take(in, MlKem768.CIPHERTEXT_BYTES) : null;
    byte[] key = (flags & FLAG_KEM_KEY) != 0 ? take(in, MlKem768.ENCAPSULATION_KEY_BYTES) : null;
    return new RatchetHeader(dh, pn, n, ciphertext, key);
  }

  @Override
  public byte[] dh() {
    return dh.clone();
  }

  @Override
  public byte[] kemCiphertext() {
    return kemCiphertext == null ? null : kemCiphertext.clone();
  }

  @Override
  public byte[] kemKey() {
    return kemKey == null ? null : kemKey.clone();
  }

  boolean sameKey(byte[] other) {
    return other != null && Arrays.equals(dh, other);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RatchetHeader h && Arrays.equals(encode(), h.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "RatchetHeader[pn="
        + pn
        + ", n="
        + n
        + ", kemCiphertext="
        + (kemCiphertext != null)
        + ", kemKey="
        + (kemKey != null)
        + "]";
  }

  private static byte[] take(ByteBuffer in, int length) {
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }

  private static RatchetException malformed(String why) {
    return new RatchetException(RatchetException.Reason.MALFORMED, "ratchet header " + why);
  }
}
