package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import java.util.Arrays;

/**
 * The header of a session's first message (docs/v2/session-setup.md section 5): the initiator's
 * ephemeral X25519 key, the ids of the responder's prekeys it used, the ML-KEM-768 ciphertext and
 * the initiator's signature over the transcript. It travels in the authenticated part of the first
 * message; the responder feeds it to {@link SessionResponder#accept}.
 */
public record InitialMessageHeader(
    byte[] ephemeralKey,
    long signedPrekeyId,
    PrekeyKind kemPrekeyKind,
    long kemPrekeyId,
    byte[] kemCiphertext,
    byte[] signature) {
  /** The protocol version byte that opens the header. */
  public static final int VERSION = 2;

  public InitialMessageHeader {
    requireNonNull(kemPrekeyKind, "kemPrekeyKind");
    if (ephemeralKey.length != X25519.KEY_BYTES) {
      throw new IllegalArgumentException("ephemeral key must be 32 bytes");
    }
    if (!kemPrekeyKind.isMlKem()) {
      throw new IllegalArgumentException("the KEM prekey must be an ML-KEM kind");
    }
    if (signedPrekeyId < 0
        || signedPrekeyId > SignedPrekey.MAX_ID
        || kemPrekeyId < 0
        || kemPrekeyId > SignedPrekey.MAX_ID) {
      throw new IllegalArgumentException("prekey ids are u32");
    }
    if (kemCiphertext.length != MlKem768.CIPHERTEXT_BYTES) {
      throw new IllegalArgumentException("KEM ciphertext must be 1088 bytes");
    }
    if (signature.length < DeviceKey.MIN_SIGNATURE_LENGTH
        || signature.length > DeviceKey.MAX_SIGNATURE_LENGTH) {
      throw new IllegalArgumentException("signature length out of range");
    }
    ephemeralKey = ephemeralKey.clone();
    kemCiphertext = kemCiphertext.clone();
    signature = signature.clone();
  }

  @Override
  public byte[] ephemeralKey() {
    return ephemeralKey.clone();
  }

  @Override
  public byte[] kemCiphertext() {
    return kemCiphertext.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /**
   * {@code 02}, ephemeral key (32), signed prekey id (u32), ML-KEM prekey kind (1) and id (u32),
   * ciphertext (1088), signature length (u16) + DER signature.
   */
  public byte[] encode() {
    return new ByteWriter()
        .u8(VERSION)
        .bytes(ephemeralKey)
        .u32(signedPrekeyId)
        .u8(kemPrekeyKind.code())
        .u32(kemPrekeyId)
        .bytes(kemCiphertext)
        .bytes16(signature)
        .toByteArray();
  }

  /** Strict decoder: refuses another version, wrong kinds, truncation and trailing bytes. */
  public static InitialMessageHeader decode(byte[] bytes) throws MalformedSessionDataException {
    ByteReader r = new ByteReader(bytes, "initial-message header");
    int version = r.u8();
    if (version != VERSION) {
      throw new MalformedSessionDataException("initial-message header version " + version);
    }
    byte[] ephemeral = r.bytes(X25519.KEY_BYTES);
    long spkId = r.u32();
    PrekeyKind kind = PrekeyKind.fromCode(r.u8());
    if (!kind.isMlKem()) {
      throw new MalformedSessionDataException("initial-message header names a non-KEM prekey");
    }
    long kemId = r.u32();
    byte[] ciphertext = r.bytes(MlKem768.CIPHERTEXT_BYTES);
    byte[] signature =
        r.bytes16(DeviceKey.MIN_SIGNATURE_LENGTH, DeviceKey.MAX_SIGNATURE_LENGTH, "signature");
    r.end();
    return new InitialMessageHeader(ephemeral, spkId, kind, kemId, ciphertext, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InitialMessageHeader h
        && Arrays.equals(ephemeralKey, h.ephemeralKey)
        && signedPrekeyId == h.signedPrekeyId
        && kemPrekeyKind == h.kemPrekeyKind
        && kemPrekeyId == h.kemPrekeyId
        && Arrays.equals(kemCiphertext, h.kemCiphertext)
        && Arrays.equals(signature, h.signature);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ephemeralKey);
  }

  @Override
  public String toString() {
    return "InitialMessageHeader[spk="
        + signedPrekeyId
        + ", "
        + kemPrekeyKind
        + " "
        + kemPrekeyId
        + "]";
  }
}
