package dev.ztchat.core.envelope;

/**
 * Opens envelopes addressed to one identity: checks who sent it, that it is for me, its signature,
 * its age and its novelty, then decrypts (docs/PROTOCOL.md, section 7).
 *
 * <p>Security guarantees: a message is returned only when every check passed, in the order of
 * section 7; no plaintext exists before the signature, freshness and replay checks succeed and the
 * AES-GCM tag verified. A rejected envelope yields no plaintext, whatever the reason.
 */
public interface EnvelopeOpener {
  /**
   * Opens {@code envelope}, or throws {@link EnvelopeRejectedException} naming the first check that
   * failed. Each envelope opens at most once: a second call with the same envelope is a {@link
   * RejectionReason#REPLAY}.
   */
  OpenedMessage open(SealedEnvelope envelope) throws EnvelopeRejectedException;
}
