package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One published prekey: its kind, id, public key bytes and the device's signature over them
 * (docs/v2/session-setup.md section 3). The signature binds the device certificate (its SHA-256),
 * so a prekey cannot be moved to another device's bundle.
 */
public record SignedPrekey(PrekeyKind kind, long id, byte[] publicKey, byte[] signature) {
  static final byte[] SIGNATURE_LABEL = "ztchat-v2-prekey".getBytes(StandardCharsets.US_ASCII);

  /** Largest prekey id (ids are u32). */
  public static final long MAX_ID = 0xffffffffL;

  public SignedPrekey {
    requireNonNull(kind, "kind");
    if (id < 0 || id > MAX_ID) {
      throw new IllegalArgumentException("prekey id is a u32");
    }
    if (publicKey.length != kind.keyLength()) {
      throw new IllegalArgumentException(kind + " key must be " + kind.keyLength() + " bytes");
    }
    if (signature.length < DeviceKey.MIN_SIGNATURE_LENGTH
        || signature.length > DeviceKey.MAX_SIGNATURE_LENGTH) {
      throw new IllegalArgumentException("signature length out of range");
    }
    publicKey = publicKey.clone();
    signature = signature.clone();
  }

  /** Signs {@code publicKey} as a prekey of {@code kind} and {@code id} with the device key. */
  public static SignedPrekey sign(
      DeviceKey device, PrekeyKind kind, long id, byte[] publicKey, SecureRandom random) {
    byte[] input = signatureInput(device.certificateHash(), kind, id, publicKey);
    return new SignedPrekey(kind, id, publicKey, device.sign(input, random));
  }

  /**
   * {@code "ztchat-v2-prekey"} (16 ASCII bytes), SHA-256 of the device certificate (32), kind (1),
   * id (u32), key length (u16), key.
   */
  static byte[] signatureInput(byte[] certificateHash, PrekeyKind kind, long id, byte[] key) {
    return new ByteWriter()
        .bytes(SIGNATURE_LABEL)
        .bytes(certificateHash)
        .u8(kind.code())
        .u32(id)
        .bytes16(key)
        .toByteArray();
  }

  /** True when the signature verifies with {@code certificate}'s key for this kind, id and key. */
  public boolean verifies(X509Certificate certificate) {
    byte[] input = signatureInput(DeviceKey.certificateHash(certificate), kind, id, publicKey);
    return DeviceKey.verify(certificate, input, signature);
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** kind (1), id (u32), key length (u16) + key, signature length (u16) + DER signature. */
  public byte[] encode() {
    return new ByteWriter()
        .u8(kind.code())
        .u32(id)
        .bytes16(publicKey)
        .bytes16(signature)
        .toByteArray();
  }

  /** Strict decoder of {@link #encode()}. */
  public static SignedPrekey decode(byte[] bytes) throws MalformedSessionDataException {
    ByteReader r = new ByteReader(bytes, "signed prekey");
    SignedPrekey p = read(r);
    r.end();
    return p;
  }

  static SignedPrekey read(ByteReader r) throws MalformedSessionDataException {
    PrekeyKind kind = PrekeyKind.fromCode(r.u8());
    long id = r.u32();
    byte[] key = r.bytes16(kind.keyLength(), kind.keyLength(), "key");
    byte[] signature =
        r.bytes16(DeviceKey.MIN_SIGNATURE_LENGTH, DeviceKey.MAX_SIGNATURE_LENGTH, "signature");
    return new SignedPrekey(kind, id, key, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedPrekey p
        && kind == p.kind
        && id == p.id
        && Arrays.equals(publicKey, p.publicKey)
        && Arrays.equals(signature, p.signature);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + Long.hashCode(id);
  }

  @Override
  public String toString() {
    return "SignedPrekey["
        + kind
        + " id="
        + id
        + " key="
        + HexFormat.of().formatHex(publicKey, 0, 8)
        + "...]";
  }
}
