package dev.ztchat.core.protocol;

/**
 * What the relay did with an envelope for one recipient (docs/PROTOCOL.md section 4.1). {@link
 * #DELIVERED} and {@link #QUEUED} mean "accepted": the envelope is committed to the relay's store
 * until the recipient acknowledges it, or the recipient already acknowledged it, in which case it
 * is never written (a live envelope, section 9). Either way it survives a crash of the relay.
 */
public enum DeliveryStatus {
  /** Stored and being pushed to the recipient's live connection(s), or acknowledged there. */
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

  /** True when the relay stored the envelope for this recipient, or the recipient has it. */
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
