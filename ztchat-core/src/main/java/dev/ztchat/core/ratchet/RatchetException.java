package dev.ztchat.core.ratchet;

import static java.util.Objects.requireNonNull;

/**
 * A ratchet message that cannot be opened, with the class of failure (docs/v2/ratchet.md section
 * 9). The state the message was offered to is unchanged: no key was used up, stored or derived.
 *
 * <p>The reason is for the local log and for tests. A peer must not learn it: whatever the reason,
 * the message is simply not accepted.
 */
public final class RatchetException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a message was refused. */
  public enum Reason {
    /** The header is not a well-formed version-1 ratchet header, or the message is too short. */
    MALFORMED,
    /**
     * The message would make the receiver derive more skipped keys than the bounds allow (a chain
     * claims a message number too far ahead).
     */
    TOO_MANY_SKIPPED,
    /**
     * A new chain lacks the ML-KEM ciphertext the receiver asked for, or carries one it did not ask
     * for.
     */
    PQ_STEP_INVALID,
    /**
     * The message's key is no longer held: it was already used (a replay), or it was skipped and
     * has expired or been evicted.
     */
    KEY_GONE,
    /** The authentication tag does not verify: the header, the ciphertext or the data is forged. */
    NOT_AUTHENTIC
  }

  private final Reason reason;

  RatchetException(Reason reason, String message) {
    super(message);
    this.reason = requireNonNull(reason, "reason");
  }

  /** The class of failure. */
  public Reason reason() {
    return reason;
  }
}
