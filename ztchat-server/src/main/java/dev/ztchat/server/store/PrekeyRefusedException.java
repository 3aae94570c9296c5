package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

/** A published prekey, or a whole publication, that the relay refuses; the message says why. */
public final class PrekeyRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the relay refused it. */
  public enum Reason {
    /** Not a prekey of the expected kind and sizes, or ids repeated within one publication. */
    MALFORMED,
    /** Prekeys for a device whose certificate the relay does not hold for this user. */
    UNKNOWN_DEVICE,
    /** An id at or below one the device published before (with other bytes). */
    REUSED_ID,
    /** More one-time prekeys than the relay keeps for a device. */
    FULL
  }

  private final Reason reason;

  public PrekeyRefusedException(Reason reason, String message) {
    super(message);
    this.reason = requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
