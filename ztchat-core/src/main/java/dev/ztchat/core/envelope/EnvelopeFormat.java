package dev.ztchat.core.envelope;

/**
 * One envelope version as the relay sees it: how to decode an encoded envelope's structure and
 * check it as far as a party without keys can (docs/v2/envelope.md, section 3). {@link
 * EnvelopeFormats} selects the format from the version byte.
 *
 * <p>Security guarantees: none about authenticity or content. A format refuses every encoding its
 * version's specification forbids, so what the relay stores and forwards is well-formed; receivers
 * check everything again.
 */
public interface EnvelopeFormat {
  /** The version byte this format reads (the envelope's first byte). */
  int version();

  /**
   * Decodes {@code envelope} strictly and returns its routing prefix; throws {@link
   * MalformedEnvelopeException} saying which rule it breaks.
   */
  RoutingPrefix decodeRoutable(byte[] envelope) throws MalformedEnvelopeException;
}
