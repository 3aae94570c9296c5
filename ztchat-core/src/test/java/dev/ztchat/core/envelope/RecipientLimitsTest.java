package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * How many recipients a routing prefix names (docs/v2/envelope.md section 2.1): up to 64 from
 * version 2 on, so that one envelope reaches a group of 64; version 1 keeps 32.
 */
class RecipientLimitsTest {
  private static List<String> names(int n) {
    return IntStream.range(0, n).mapToObj(i -> "u" + i).toList();
  }

  @Test
  void version2Prefix_with64Recipients_roundTripsThroughTheRelaysParser() throws Exception {
    byte[] bytes = V2EnvelopeTest.byHand(2, "alice", names(64), new byte[] {1}, new byte[] {1});

    RoutingPrefix prefix = EnvelopeFormats.decodeRoutable(bytes);

    assertThat(prefix.recipients()).hasSize(64).isEqualTo(names(64));
    assertThat(V2Envelope.decode(bytes).prefix()).isEqualTo(prefix);
    assertThat(new V2Envelope(prefix, new byte[] {1}, new byte[] {1}).encode()).isEqualTo(bytes);
  }

  @Test
  void version2Prefix_with65Recipients_isRefused() {
    byte[] bytes = V2EnvelopeTest.byHand(2, "alice", names(65), new byte[] {1}, new byte[] {1});

    assertThatThrownBy(() -> EnvelopeFormats.decodeRoutable(bytes))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("1 to 64 recipients, not 65");
    assertThatThrownBy(() -> new RoutingPrefix(2, "alice", names(65), 0L, new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 64 recipients, not 65");
  }

  @Test
  void version1Header_with33Recipients_isRefused_and32Accepted() {
    assertThat(new EnvelopeHeader(1, "alice", names(32), 0L, new byte[16]).recipients())
        .hasSize(32);
    assertThatThrownBy(() -> new EnvelopeHeader(1, "alice", names(33), 0L, new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 32 recipients, not 33");
    assertThatThrownBy(() -> new RoutingPrefix(1, "alice", names(33), 0L, new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 32 recipients, not 33");
  }

  @Test
  void version1Envelope_with33Recipients_isRefusedByTheRelaysParser() {
    // A version-1 envelope starts with the same prefix bytes; the parser stops at the count.
    byte[] bytes = V2EnvelopeTest.byHand(1, "alice", names(33), new byte[] {1}, new byte[] {1});

    assertThatThrownBy(() -> EnvelopeFormats.decodeRoutable(bytes))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("1 to 32 recipients, not 33");
  }
}
