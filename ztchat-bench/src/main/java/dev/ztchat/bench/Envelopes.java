package dev.ztchat.bench;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.WrappedKey;
import dev.ztchat.core.pki.UserIdentity;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;

/**
 * Pre-sealed version-1 envelopes for the capacity bench and the relay and store benches' version-1
 * rows ({@link Wire#v1}), so they measure the relay and not RSA: one real envelope (a 256-byte
 * text, sealed and signed by the sender for the recipient) is the template, and each message is
 * that envelope with its own message id (and, when asked, its own recipient). The relay routes on
 * the header and never checks signatures (receivers do), so it does the same work as for
 * individually sealed messages of the same size.
 */
final class Envelopes {
  /** The plaintext size the benches use. */
  static final int MESSAGE_BYTES = 256;

  private final SealedEnvelope template;
  private final long run = System.nanoTime();

  Envelopes(UserIdentity sender, UserIdentity recipient) {
    this.template =
        new RsaOaepAesGcmSealer(sender, Clock.systemUTC())
            .seal(
                MessageContent.text("x".repeat(MESSAGE_BYTES)),
                List.of(RecipientKey.of(recipient.encryption().certificate())));
  }

  /** Message number {@code seq}, to the template's recipient. */
  byte[] envelope(long seq) {
    return envelope(seq, template.header().recipients().get(0));
  }

  /** Message number {@code seq}, addressed to {@code recipient}. */
  byte[] envelope(long seq, String recipient) {
    EnvelopeHeader h = template.header();
    byte[] id =
        ByteBuffer.allocate(EnvelopeHeader.MESSAGE_ID_BYTES).putLong(run).putLong(seq).array();
    EnvelopeHeader header =
        new EnvelopeHeader(
            h.version(), h.sender(), List.of(recipient), System.currentTimeMillis(), id);
    WrappedKey k = template.keys().get(0);
    return EnvelopeCodec.encode(
        new SealedEnvelope(
            header,
            List.of(new WrappedKey(recipient, k.keyId(), k.wrapped())),
            template.nonce(),
            template.ciphertext(),
            template.signature()));
  }

  /** The message number inside an envelope made here. */
  static long seqOf(byte[] messageId) {
    return ByteBuffer.wrap(messageId, 8, 8).getLong();
  }
}
