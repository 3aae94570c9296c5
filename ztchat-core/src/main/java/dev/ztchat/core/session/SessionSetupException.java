package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

/**
 * A v2 session could not be set up, for the {@link Reason} given (docs/v2/session-setup.md section
 * 7). Nothing was derived and no prekey was used up. The reason is for the local user and the
 * security log; a peer is never told which check failed.
 */
public final class SessionSetupException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why, one per failure class. */
  public enum Reason {
    /** A device certificate does not hold an ECDSA P-256 key, or the key does not match it. */
    BAD_DEVICE_KEY,
    /** A prekey in the bundle has the wrong kind or a signature that does not verify. */
    BAD_PREKEY_SIGNATURE,
    /** A prekey's key bytes are not a valid key of its kind (e.g. ML-KEM modulus check). */
    BAD_PREKEY,
    /** The initial message's signature does not verify with the initiator's certificate. */
    BAD_INITIATOR_SIGNATURE,
    /** The initial message names a prekey this device does not hold (used, expired, unknown). */
    UNKNOWN_PREKEY,
    /** An X25519 agreement gave the all-zero secret (a low-order point). */
    WEAK_KEY_AGREEMENT,
    /** The prekey store belongs to another device certificate than the one passed. */
    WRONG_DEVICE
  }

  private final Reason reason;

  public SessionSetupException(Reason reason, String message) {
    super(message);
    this.reason = requireNonNull(reason, "reason");
  }

  public SessionSetupException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
