package dev.ztchat.core.protocol;

/**
 * What the relay did with an envelope for one recipient (docs/PROTOCOL.md section 4.1). {@link
 * #DELIVERED} and {@link #QUEUED} mean "accepted": durably stored until the recipient acknowledges.
 */
public enum DeliveryStatus {
  /** Stored, and being pushed to the recipient's live connection(s). */
  DELIVERED("delivered"),
  /** Stored: the recipient is offline and gets it when they connect (until the TTL passes). */
  QUEUED("queued"),
  /** Not stored: no such user is known to the relay. */
  UNKNOWN("unknown"),
  /** Not stored: the recipient's queue is at its quota. */
  FULL("full");

  private final String wire;

  DeliveryStatus(String wire) {
    this.wire = wire;
  }

  /** True when the relay durably stored the envelope for this recipient. */
  public boolean accepted() {
    return this == DELIVERED || this == QUEUED;
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
