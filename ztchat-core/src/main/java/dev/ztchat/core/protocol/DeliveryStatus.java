package dev.ztchat.core.protocol;

/** What the relay did with an envelope for one recipient (docs/PROTOCOL.md section 4.1). */
public enum DeliveryStatus {
  /** Handed to at least one live connection of the recipient. */
  DELIVERED("delivered"),
  /** Not delivered: the recipient has no live connection. */
  OFFLINE("offline"),
  /** No such user is known to the relay. */
  UNKNOWN("unknown");

  private final String wire;

  DeliveryStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The status for a wire name, or {@code null}. */
  public static DeliveryStatus fromWire(String s) {
    for (DeliveryStatus d : values()) {
      if (d.wire.equals(s)) {
        return d;
      }
    }
    return null;
  }
}
