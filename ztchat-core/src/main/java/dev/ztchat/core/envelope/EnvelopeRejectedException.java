package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

/**
 * The opener refused an envelope. {@link #reason()} says which check failed; {@link #getMessage()}
 * is a sentence for the local user (never for the remote peer: see {@link RejectionReason}).
 * Nothing about the plaintext is revealed, and no plaintext was produced.
 */
public final class EnvelopeRejectedException extends Exception {
  private final RejectionReason reason;
  private final RoutingPrefix claimedPrefix;

  EnvelopeRejectedException(RejectionReason reason, EnvelopeHeader claimedHeader) {
    this(reason, claimedHeader, null);
  }

  EnvelopeRejectedException(RejectionReason reason, EnvelopeHeader claimedHeader, String detail) {
    this(reason, requireNonNull(claimedHeader, "claimedHeader").routingPrefix(), detail);
  }

  /**
   * A refusal of the envelope whose routing prefix is {@code claimedPrefix}, for {@code reason},
   * with an optional {@code detail} for the local user (never key material or plaintext).
   */
  public EnvelopeRejectedException(
      RejectionReason reason, RoutingPrefix claimedPrefix, String detail) {
    super(detail == null ? reason.userMessage() : reason.userMessage() + " (" + detail + ")");
    this.reason = requireNonNull(reason, "reason");
    this.claimedPrefix = requireNonNull(claimedPrefix, "claimedPrefix");
  }

  public RejectionReason reason() {
    return reason;
  }

  /**
   * The routing prefix of the rejected envelope (any version), for logging a security event.
   * Warning: it is what the envelope claims; unless the reason comes after {@link
   * RejectionReason#BAD_SIGNATURE} in the check order, nobody vouches for any field of it.
   */
  public RoutingPrefix claimedPrefix() {
    return claimedPrefix;
  }

  /**
   * The header of the rejected version-1 envelope, for logging a security event. Warning: it is
   * what the envelope claims; unless the reason comes after {@link RejectionReason#BAD_SIGNATURE}
   * in the check order, nobody vouches for any field of it (the sender may be forged).
   *
   * @throws IllegalStateException for an envelope of another version: use {@link #claimedPrefix()}
   */
  public EnvelopeHeader claimedHeader() {
    if (claimedPrefix.version() != EnvelopeHeader.VERSION) {
      throw new IllegalStateException("not a version-1 envelope; use claimedPrefix()");
    }
    return new EnvelopeHeader(
        claimedPrefix.version(),
        claimedPrefix.sender(),
        claimedPrefix.recipients(),
        claimedPrefix.timestampMillis(),
        claimedPrefix.messageId());
  }
}
