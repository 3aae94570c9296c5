package dev.ztchat.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The default frame limit leaves room for the largest version-2 messages (docs/PROTOCOL.md 3). */
class ProtocolLimitsTest {
  /** Routing prefix for one recipient, both names 32 bytes (docs/v2/envelope.md 2.1). */
  private static final int PREFIX = 1 + (2 + 32) + 1 + (2 + 32) + 8 + 16;

  /** u32 body length, u16 signature length and the longest P-256 signature (envelope.md 2.2). */
  private static final int ENVELOPE_FRAMING = 4 + 2 + 72;

  /** A ratchet header with both post-quantum fields (docs/v2/ratchet.md section 3). */
  private static final int PQ_RATCHET_HEADER = 2314;

  /** The longest initial message header (docs/v2/session-setup.md). */
  private static final int INITIAL_HEADER = 1204;

  /** The longest device certificate a first message may carry (PrekeyBundle). */
  private static final int DEVICE_CERTIFICATE = 2048;

  /** AES-256-GCM tag. */
  private static final int TAG = 16;

  @Test
  void defaultMaxFrame_carriesAFirstMessageWithAPostQuantumRatchetHeader_andAFewKilobytesOfText() {
    int fixed =
        PREFIX + ENVELOPE_FRAMING + INITIAL_HEADER + DEVICE_CERTIFICATE + PQ_RATCHET_HEADER + TAG;

    int room = ProtocolLimits.maxEnvelopeBytes(ProtocolLimits.DEFAULT_MAX_FRAME) - fixed;

    assertThat(room).as("bytes left for text and the ledger commitment").isGreaterThan(4096);
  }

  @Test
  void defaultMaxFrame_isTheOneThatWasChosen_andWithinTheConfigurableRange() {
    assertThat(ProtocolLimits.DEFAULT_MAX_FRAME).isEqualTo(16384);
    assertThat(ProtocolLimits.maxEnvelopeBytes(ProtocolLimits.DEFAULT_MAX_FRAME)).isEqualTo(12312);
    assertThat(ProtocolLimits.DEFAULT_MAX_FRAME)
        .isBetween(ProtocolLimits.MIN_MAX_FRAME, ProtocolLimits.MAX_MAX_FRAME);
  }

  @Test
  void everyDeliverOfTheDefaultLimit_fitsWhatAClientReadsFromTheRelay() {
    assertThat(ProtocolLimits.DEFAULT_MAX_FRAME + ProtocolLimits.DELIVER_OVERHEAD)
        .isLessThanOrEqualTo(ProtocolLimits.CLIENT_MAX_INBOUND_FRAME);
  }
}
