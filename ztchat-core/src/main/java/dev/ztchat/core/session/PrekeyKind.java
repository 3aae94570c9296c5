package dev.ztchat.core.session;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;

/** The three kinds of published prekey, with their wire code and key length. */
public enum PrekeyKind {
  /** The signed X25519 prekey (also the responder's first ratchet key). */
  SIGNED_X25519(1, X25519.KEY_BYTES),
  /** A one-time ML-KEM-768 prekey: handed out once, deleted after use. */
  ONE_TIME_ML_KEM_768(2, MlKem768.ENCAPSULATION_KEY_BYTES),
  /** The last-resort ML-KEM-768 prekey: used when the one-time supply is empty; kept. */
  LAST_RESORT_ML_KEM_768(3, MlKem768.ENCAPSULATION_KEY_BYTES);

  private final int code;
  private final int keyLength;

  PrekeyKind(int code, int keyLength) {
    this.code = code;
    this.keyLength = keyLength;
  }

  public int code() {
    return code;
  }

  public int keyLength() {
    return keyLength;
  }

  public boolean isMlKem() {
    return this != SIGNED_X25519;
  }

  static PrekeyKind fromCode(int code) throws MalformedSessionDataException {
    for (PrekeyKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new MalformedSessionDataException("unknown prekey kind " + code);
  }
}
