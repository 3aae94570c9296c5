package dev.ztchat.core.ratchet;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.util.Arrays;

/**
 * The stored form of a {@link RatchetState} (docs/v2/ratchet.md section 8): version 1, fixed
 * fields, presence flags for the optional ones, and a strict decoder that refuses unknown versions
 * and flags, impossible combinations, out-of-range counters and trailing bytes.
 */
final class RatchetStateCodec {
  /** Written: the sending key pair stored whole. */
  static final byte VERSION = 0x02;

  /** Still read: the sending key's public half recomputed from its private half (slower). */
  static final byte VERSION_1 = 0x01;

  static final int HAS_SEND_KEY = 0x01;
  static final int HAS_RECEIVE_KEY = 0x02;
  static final int HAS_SEND_CHAIN = 0x04;
  static final int HAS_RECEIVE_CHAIN = 0x08;
  static final int HAS_KEM_KEY = 0x10;
  static final int HAS_KEM_CIPHERTEXT = 0x20;
  static final int HAS_PQ_CLOCK = 0x40;
  private static final int KNOWN_FLAGS = 0x7F;

  private static final int KEY = 32;
  private static final int MAX_DECAPSULATION_KEY_BYTES = 4096;

  private RatchetStateCodec() {}

  static byte[] encode(RatchetState s) {
    int flags =
        flag(s.sendKey, HAS_SEND_KEY)
            | flag(s.receivePublic, HAS_RECEIVE_KEY)
            | flag(s.sendChain, HAS_SEND_CHAIN)
            | flag(s.receiveChain, HAS_RECEIVE_CHAIN)
            | flag(s.kemPrivateKey, HAS_KEM_KEY)
            | flag(s.sendKemCiphertext, HAS_KEM_CIPHERTEXT)
            | (s.lastPqSecond == null ? 0 : HAS_PQ_CLOCK);
    byte[] kemPrivate =
        s.kemPrivateKey == null ? null : MlKem768.encodedPrivateKey(s.kemPrivateKey);
    int size =
        2
            + 2 * KEY
            + (s.sendKey == null ? 0 : 2 * KEY)
            + (s.receivePublic == null ? 0 : KEY)
            + (s.sendChain == null ? 0 : KEY)
            + (s.receiveChain == null ? 0 : KEY)
            + 12
            + (kemPrivate == null ? 0 : 2 + kemPrivate.length + MlKem768.ENCAPSULATION_KEY_BYTES)
            + (s.sendKemCiphertext == null ? 0 : MlKem768.CIPHERTEXT_BYTES)
            + 4
            + (s.lastPqSecond == null ? 0 : 8)
            + 4
            + s.skipped.size() * (KEY + 4 + KEY + 8);
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(VERSION).put((byte) flags).put(s.ad).put(s.rootKey);
    if (s.sendKey != null) {
      byte[] raw = s.sendKey.rawPrivateKey();
      out.put(raw).put(s.sendKey.publicKey());
      Arrays.fill(raw, (byte) 0);
    }
    putIf(out, s.receivePublic);
    putIf(out, s.sendChain);
    putIf(out, s.receiveChain);
    out.putInt((int) s.sendN).putInt((int) s.receiveN).putInt((int) s.previousN);
    if (kemPrivate != null) {
      out.putShort((short) kemPrivate.length).put(kemPrivate).put(s.kemEncapsulationKey);
      Arrays.fill(kemPrivate, (byte) 0);
    }
    putIf(out, s.sendKemCiphertext);
    out.putInt((int) s.messagesSincePq);
    if (s.lastPqSecond != null) {
      out.putLong(s.lastPqSecond);
    }
    out.putInt(s.skipped.size());
    for (SkippedKey k : s.skipped) {
      out.put(k.dh()).putInt((int) k.n()).put(k.messageKey()).putLong(k.storedAtSecond());
    }
    return out.array();
  }

  static RatchetState decode(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      byte version = in.get();
      if (version != VERSION && version != VERSION_1) {
        throw invalid("unknown version " + (bytes[0] & 0xFF));
      }
      int flags = in.get() & 0xFF;
      if ((flags & ~KNOWN_FLAGS) != 0) {
        throw invalid("unknown flags " + flags);
      }
      byte[] ad = take(in, KEY);
      byte[] rootKey = take(in, KEY);
      MutableRatchet r = new MutableRatchet(rootKey, ad);
      if ((flags & HAS_SEND_KEY) != 0) {
        byte[] raw = take(in, KEY);
        r.sendKey = version == VERSION_1 ? sendKey(raw) : sendKey(raw, take(in, KEY));
      }
      r.receivePublic = (flags & HAS_RECEIVE_KEY) != 0 ? take(in, KEY) : null;
      r.sendChain = (flags & HAS_SEND_CHAIN) != 0 ? take(in, KEY) : null;
      r.receiveChain = (flags & HAS_RECEIVE_CHAIN) != 0 ? take(in, KEY) : null;
      r.sendN = Integer.toUnsignedLong(in.getInt());
      r.receiveN = Integer.toUnsignedLong(in.getInt());
      r.previousN = Integer.toUnsignedLong(in.getInt());
      if ((flags & HAS_KEM_KEY) != 0) {
        int length = Short.toUnsignedInt(in.getShort());
        if (length == 0 || length > MAX_DECAPSULATION_KEY_BYTES) {
          throw invalid("ML-KEM decapsulation key of " + length + " bytes");
        }
        r.kemPrivateKey = kemPrivateKey(take(in, length));
        r.kemEncapsulationKey = take(in, MlKem768.ENCAPSULATION_KEY_BYTES);
      }
      if ((flags & HAS_KEM_CIPHERTEXT) != 0) {
        r.sendKemCiphertext = take(in, MlKem768.CIPHERTEXT_BYTES);
      }
      r.messagesSincePq = Integer.toUnsignedLong(in.getInt());
      r.lastPqSecond = (flags & HAS_PQ_CLOCK) != 0 ? in.getLong() : null;
      long count = Integer.toUnsignedLong(in.getInt());
      if (count > RatchetState.MAX_SKIPPED_KEYS) {
        throw invalid(count + " skipped keys, more than " + RatchetState.MAX_SKIPPED_KEYS);
      }
      for (long i = 0; i < count; i++) {
        r.skipped.add(
            new SkippedKey(
                take(in, KEY), Integer.toUnsignedLong(in.getInt()), take(in, KEY), in.getLong()));
      }
      if (in.hasRemaining()) {
        throw invalid(in.remaining() + " trailing bytes");
      }
      checkConsistent(r);
      return new RatchetState(r);
    } catch (BufferUnderflowException e) {
      throw invalid("truncated");
    }
  }

  private static void checkConsistent(MutableRatchet r) {
    if (r.sendKey == null && r.receivePublic == null) {
      throw invalid("neither a sending nor a receiving ratchet key");
    }
    if (r.sendChain != null && r.sendKey == null) {
      throw invalid("a sending chain without a sending key");
    }
    if (r.receiveChain != null && r.receivePublic == null) {
      throw invalid("a receiving chain without the peer's key");
    }
    if (r.sendKemCiphertext != null && r.sendChain == null) {
      throw invalid("an ML-KEM ciphertext without a sending chain");
    }
    if (r.sendKey == null && (r.receiveChain != null || r.kemPrivateKey != null)) {
      throw invalid("an initiator that has not sent yet holds later fields");
    }
  }

  private static X25519.KeyPair sendKey(byte[] raw, byte[] publicKey) {
    try {
      return new X25519.KeyPair(X25519.privateKey(raw), publicKey);
    } catch (IllegalArgumentException e) {
      throw invalid("the sending key: " + e.getMessage());
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static X25519.KeyPair sendKey(byte[] raw) {
    try {
      return X25519.fromPrivateKey(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static PrivateKey kemPrivateKey(byte[] pkcs8) {
    try {
      return MlKem768.privateKey(pkcs8);
    } catch (InvalidKeyException e) {
      throw invalid("not an ML-KEM-768 private key");
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  private static int flag(Object value, int bit) {
    return value == null ? 0 : bit;
  }

  private static void putIf(ByteBuffer out, byte[] value) {
    if (value != null) {
      out.put(value);
    }
  }

  private static byte[] take(ByteBuffer in, int length) {
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }

  private static IllegalArgumentException invalid(String why) {
    return new IllegalArgumentException("not a stored ratchet state: " + why);
  }
}
