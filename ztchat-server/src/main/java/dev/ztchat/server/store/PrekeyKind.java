package dev.ztchat.server.store;

/**
 * The kinds of prekey a device publishes (docs/v2/prekeys.md section 2): the first byte of a
 * prekey's encoding, and the length its key must have.
 */
public enum PrekeyKind {
  /** The signed X25519 prekey: one per device, replaced by a newer one. */
  SIGNED_X25519(1, 32),
  /** A one-time ML-KEM-768 prekey: handed out at most once. */
  ONE_TIME_ML_KEM_768(2, 1184),
  /** The last-resort ML-KEM-768 prekey: handed out when no one-time prekey is left; kept. */
  LAST_RESORT_ML_KEM_768(3, 1184);

  private final int wire;
  private final int keyLength;

  PrekeyKind(int wire, int keyLength) {
    this.wire = wire;
    this.keyLength = keyLength;
  }

  /** The kind byte of the encoding. */
  public int wire() {
    return wire;
  }

  /** The length, in bytes, of this kind's public key. */
  public int keyLength() {
    return keyLength;
  }

  /** The kind of a kind byte, or null for one this version does not know. */
  static PrekeyKind fromWire(int b) {
    for (PrekeyKind k : values()) {
      if (k.wire == b) {
        return k;
      }
    }
    return null;
  }
}
