package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.testkit.MutableClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The version registry (docs/v2/envelope.md section 3): the first byte selects the format. */
class EnvelopeFormatsTest {
  private static final SealedEnvelope V1 =
      Fixtures.sealer("alice", MutableClock.at(Instant.parse("2026-01-01T00:00:00Z")))
          .seal(MessageContent.text("hi"), Fixtures.recipients("bob", "carol"));

  @Test
  void versions_areOneAndTwo() {
    assertThat(EnvelopeFormats.VERSIONS).containsExactly(1, 2);
  }

  @Test
  void version1_routesByItsHeader_withAllOfTheRelaysChecks() throws Exception {
    byte[] bytes = EnvelopeCodec.encode(V1);

    RoutingPrefix prefix = EnvelopeFormats.decodeRoutable(bytes);

    assertThat(prefix).isEqualTo(V1.header().routingPrefix());
    assertThat(EnvelopeFormats.formatOf(bytes).version()).isEqualTo(1);
  }

  @Test
  void version1_keyEntryForSomeoneElse_isRefusedWithTheVersion1Message() {
    SealedEnvelope odd =
        new SealedEnvelope(
            new EnvelopeHeader(
                1, "alice", List.of("bob"), V1.header().timestampMillis(), new byte[16]),
            V1.keys(),
            V1.nonce(),
            V1.ciphertext(),
            V1.signature());
    byte[] bytes = EnvelopeCodec.encode(odd);

    assertThatThrownBy(() -> EnvelopeFormats.decodeRoutable(bytes))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessage("a key entry names carol, who is not a recipient");
  }

  @Test
  void version2_routesByItsPrefix() throws Exception {
    byte[] bytes = V2EnvelopeTest.ENVELOPE.encode();

    assertThat(EnvelopeFormats.decodeRoutable(bytes)).isEqualTo(V2EnvelopeTest.PREFIX);
    assertThat(EnvelopeFormats.formatOf(bytes).version()).isEqualTo(2);
  }

  @Test
  void unknownVersions_areRefusedNamingTheKnownOnes() {
    for (int version : List.of(0, 3, 255)) {
      byte[] bytes = V2EnvelopeTest.ENVELOPE.encode();
      bytes[0] = (byte) version;
      assertThatThrownBy(() -> EnvelopeFormats.decodeRoutable(bytes))
          .isInstanceOf(MalformedEnvelopeException.class)
          .hasMessage("unsupported envelope version " + version + " (known versions: 1, 2)");
    }
  }

  @Test
  void emptyAndOversized_areRefused() {
    assertThatThrownBy(() -> EnvelopeFormats.decodeRoutable(new byte[0]))
        .hasMessage("envelope is empty");
    byte[] huge = new byte[EnvelopeCodec.MAX_ENVELOPE_BYTES + 1];
    huge[0] = 2;
    assertThatThrownBy(() -> EnvelopeFormats.decodeRoutable(huge))
        .hasMessageContaining("envelope is larger than");
  }
}
