package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

/**
 * The opener refused an envelope. {@link #reason()} says which check failed; {@link #getMessage()}
 * is a sentence for the local user (never for the remote peer: see {@link RejectionReason}).
 * Nothing about the plaintext is revealed, and no plaintext was produced.
 */
public final class EnvelopeRejectedException extends Exception {
  private final RejectionReason reason;
  private final EnvelopeHeader claimedHeader;

  EnvelopeRejectedException(RejectionReason reason, EnvelopeHeader claimedHeader) {
    this(reason, claimedHeader, null);
  }

  EnvelopeRejectedException(RejectionReason reason, EnvelopeHeader claimedHeader, String detail) {
    super(detail == null ? reason.userMessage() : reason.userMessage() + " (" + detail + ")");
    this.reason = requireNonNull(reason, "reason");
    this.claimedHeader = requireNonNull(claimedHeader, "claimedHeader");
  }

  public RejectionReason reason() {
    return reason;
  }

  /**
   * The header of the rejected envelope, for logging a security event. Warning: it is what the
   * envelope claims; unless the reason comes after {@link RejectionReason#BAD_SIGNATURE} in the
   * check order, nobody vouches for any field of it (the sender may be forged).
   */
  public EnvelopeHeader claimedHeader() {
    return claimedHeader;
  }
}
