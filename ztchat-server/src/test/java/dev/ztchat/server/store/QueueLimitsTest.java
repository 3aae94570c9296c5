package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.ProtocolLimits;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The default mailbox quotas still hold a healthy backlog now that the default frame limit lets
 * envelopes of up to {@code maxEnvelopeBytes(16384)} = 12312 bytes through (docs/PROTOCOL.md
 * section 3).
 */
class QueueLimitsTest {
  private static final QueueLimits DEFAULTS = QueueLimits.defaults(Path.of("unused"));

  /** A v2 message in a chain that carries both post-quantum fields, with a short text. */
  private static final int TYPICAL_PQ_V2_ENVELOPE = 61 + 4 + 2314 + 200 + 16 + 2 + 72;

  @Test
  void defaultByteQuota_holdsOverAThousandMaximumSizeEnvelopesFromOneSender() {
    long largest = ProtocolLimits.maxEnvelopeBytes(ProtocolLimits.DEFAULT_MAX_FRAME);
    long senderShare = DEFAULTS.maxBytesPerRecipient() * DEFAULTS.senderSharePercent() / 100;

    assertThat(senderShare / largest).isGreaterThan(1000);
    assertThat(DEFAULTS.maxBytesPerRecipient() / largest).isGreaterThan(4000);
  }

  @Test
  void defaultQuota_forTypicalPostQuantumMessages_isBoundByTheCountNotTheBytes() {
    long bytesOfAFullCount = (long) DEFAULTS.maxMessagesPerRecipient() * TYPICAL_PQ_V2_ENVELOPE;

    assertThat(bytesOfAFullCount).isLessThan(DEFAULTS.maxBytesPerRecipient());
  }
}
