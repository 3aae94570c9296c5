package dev.ztchat.attacks;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.WrappedKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Well-formed envelopes whose cryptographic fields are random bytes. The relay only reads the
 * header, so these are enough to test what it routes; no client would open them.
 */
final class Envelopes {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Envelopes() {}

  /** An envelope whose header says {@code sender} and {@code recipients}, dated now. */
  static byte[] structural(String sender, String... recipients) {
    List<WrappedKey> keys = new ArrayList<>();
    for (String r : recipients) {
      keys.add(new WrappedKey(r, random(32), random(256)));
    }
    return EnvelopeCodec.encode(
        new SealedEnvelope(
            new EnvelopeHeader(
                EnvelopeHeader.VERSION,
                sender,
                List.of(recipients),
                System.currentTimeMillis(),
                random(16)),
            keys,
            random(12),
            random(80),
            random(256)));
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
