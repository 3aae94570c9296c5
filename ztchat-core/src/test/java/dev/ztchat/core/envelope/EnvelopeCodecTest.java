package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.testkit.MutableClock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {
  private static final SealedEnvelope ENVELOPE =
      Fixtures.sealer("alice", MutableClock.at(Instant.parse("2026-01-01T00:00:00Z")))
          .seal(MessageContent.text("hi"), Fixtures.recipients("bob", "carol"));

  @Test
  void decode_ofEncode_isTheSameEnvelope() throws Exception {
    byte[] bytes = EnvelopeCodec.encode(ENVELOPE);

    assertThat(EnvelopeCodec.decode(bytes)).isEqualTo(ENVELOPE);
    assertThat(EnvelopeCodec.encode(EnvelopeCodec.decode(bytes))).isEqualTo(bytes);
  }

  @Test
  void encodeHeader_isThePrefixOfTheSignedBytes_whichArePrefixOfTheEnvelope() {
    byte[] header = EnvelopeCodec.encodeHeader(ENVELOPE.header());
    byte[] signed = EnvelopeCodec.signedBytes(ENVELOPE);
    byte[] whole = EnvelopeCodec.encode(ENVELOPE);

    assertThat(Arrays.copyOf(signed, header.length)).isEqualTo(header);
    assertThat(Arrays.copyOf(whole, signed.length)).isEqualTo(signed);
    assertThat(whole.length).isEqualTo(signed.length + 2 + ENVELOPE.signature().length);
  }

  @Test
  void decode_everyTruncation_isMalformed() {
    byte[] bytes = EnvelopeCodec.encode(ENVELOPE);
    for (int len = 0; len < bytes.length; len++) {
      byte[] truncated = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> EnvelopeCodec.decode(truncated))
          .as("truncated to %d bytes", len)
          .isInstanceOf(MalformedEnvelopeException.class);
    }
  }

  @Test
  void decode_trailingByte_isMalformed() {
    byte[] bytes = EnvelopeCodec.encode(ENVELOPE);
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);

    assertThatThrownBy(() -> EnvelopeCodec.decode(longer))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("unexpected bytes");
  }

  @Test
  void decode_versionByteChanged_isMalformed() {
    byte[] bytes = EnvelopeCodec.encode(ENVELOPE);
    for (int version : List.of(0, 2, 255)) {
      bytes[0] = (byte) version;
      assertThatThrownBy(() -> EnvelopeCodec.decode(bytes))
          .isInstanceOf(MalformedEnvelopeException.class)
          .hasMessageContaining("unsupported envelope version " + version);
    }
  }

  @Test
  void decode_senderNameBreakingTheNameRule_isMalformed() {
    byte[] bytes = EnvelopeCodec.encode(ENVELOPE);
    bytes[3] = 'A'; // "alice" -> "Alice": upper case is not allowed

    assertThatThrownBy(() -> EnvelopeCodec.decode(bytes))
        .isInstanceOf(MalformedEnvelopeException.class);
  }

  @Test
  void decode_emptyOrOversized_isMalformed() {
    assertThatThrownBy(() -> EnvelopeCodec.decode(new byte[0]))
        .isInstanceOf(MalformedEnvelopeException.class);
    assertThatThrownBy(() -> EnvelopeCodec.decode(new byte[EnvelopeCodec.MAX_ENVELOPE_BYTES + 1]))
        .isInstanceOf(MalformedEnvelopeException.class);
  }
}
