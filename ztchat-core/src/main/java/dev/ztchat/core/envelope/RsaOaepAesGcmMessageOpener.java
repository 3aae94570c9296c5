package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

/**
 * Version 1 as a {@link MessageOpener}: decodes the envelope (docs/PROTOCOL.md section 5) and opens
 * it with {@link RsaOaepAesGcmOpener} (section 7), which makes every check.
 */
public final class RsaOaepAesGcmMessageOpener implements MessageOpener {
  private final EnvelopeOpener opener;

  public RsaOaepAesGcmMessageOpener(EnvelopeOpener opener) {
    this.opener = requireNonNull(opener, "opener");
  }

  @Override
  public int version() {
    return EnvelopeHeader.VERSION;
  }

  @Override
  public RoutingPrefix prefixOf(byte[] envelope) throws MalformedEnvelopeException {
    return EnvelopeCodec.decodePrefix(envelope, EnvelopeHeader.VERSION);
  }

  @Override
  public OpenedMessage open(byte[] envelope)
      throws MalformedEnvelopeException, EnvelopeRejectedException {
    return opener.open(EnvelopeCodec.decode(envelope));
  }
}
