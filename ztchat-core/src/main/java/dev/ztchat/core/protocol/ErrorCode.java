package dev.ztchat.core.protocol;

/** The {@code code} of an {@code error} frame (docs/PROTOCOL.md section 4.3). */
public enum ErrorCode {
  MALFORMED("malformed"),
  UNKNOWN_TYPE("unknown_type"),
  BAD_ENVELOPE("bad_envelope"),
  UNKNOWN_USER("unknown_user"),
  BAD_CERTIFICATE("bad_certificate"),
  RATE_LIMITED("rate_limited"),
  NO_CRL("no_crl"),
  INTERNAL("internal"),
  // prekeys (docs/v2/prekeys.md)
  NO_PREKEYS("no_prekeys"),
  BAD_PREKEY("bad_prekey"),
  TOO_MANY_PREKEYS("too_many_prekeys"),
  /** The devices a {@code send} names are not the recipients' current ones (devices.md 6.2). */
  STALE_DEVICES("stale_devices");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The code for a wire name, or {@code null} for one this version does not know. */
  public static ErrorCode fromWire(String s) {
    for (ErrorCode c : values()) {
      if (c.wire.equals(s)) {
        return c;
      }
    }
    return null;
  }
}
