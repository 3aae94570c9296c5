package dev.ztchat.core.envelope;

import java.util.List;

/**
 * Seals a message for a set of recipient keys: encrypts it, wraps its key for each recipient and
 * signs the result as its sender (docs/PROTOCOL.md, section 6). The content key, the nonce, the
 * message id and the timestamp are made inside; callers choose only what to say and to whom.
 *
 * <p>Security guarantees: only holders of a listed recipient key can read the content; any receiver
 * can check that the sender (the identity the sealer was built with) made exactly this envelope,
 * for exactly these recipients, at this time.
 */
public interface EnvelopeSealer {
  /**
   * Seals {@code content} for {@code recipients} (1 to 128 keys, at most 32 distinct names).
   *
   * @throws IllegalArgumentException when a recipient certificate is not an encryption certificate,
   *     a key is listed twice, or there are too many recipients
   */
  SealedEnvelope seal(MessageContent content, List<RecipientKey> recipients);
}
