package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How acknowledgements are cut into frames the relay takes (docs/PROTOCOL.md section 9). */
class AckSenderTest {
  static final String ID = "00112233445566778899aabbccddeeff";

  static List<Frame.AckedEnvelope> entries(int n, int nameLength) {
    return IntStream.range(0, n)
        .mapToObj(i -> new Frame.AckedEnvelope("a".repeat(nameLength), ID))
        .toList();
  }

  static Frame.Welcome welcome(int maxFrame, int maxAcks) {
    return new Frame.Welcome(1, "bob", maxFrame, 60, 0, List.of(1, 2), maxAcks);
  }

  @Test
  void aRelayThatTakesBatches_getsAtMostMaxAcksPerFrame_inTheOrderGiven() {
    List<Frame.AckedEnvelope> all = entries(150, 5);
    var parts = AckSender.parts(all, welcome(16384, 64));
    assertThat(parts).extracting(List::size).containsExactly(64, 64, 22);
    assertThat(parts.stream().flatMap(List::stream).toList()).isEqualTo(all);
  }

  @Test
  void aRelayWithoutMaxAcks_getsOneEnvelopePerFrame() {
    assertThat(AckSender.parts(entries(3, 5), welcome(16384, 0)))
        .extracting(List::size)
        .containsExactly(1, 1, 1);
  }

  @Test
  void withTheSmallestMaxFrame_everyFrameOfTheLongestNamesFitsIt() {
    int maxFrame = 2048;
    var parts = AckSender.parts(entries(64, 32), welcome(maxFrame, 64));
    assertThat(parts).hasSizeGreaterThan(1);
    for (List<Frame.AckedEnvelope> part : parts) {
      int size = FrameCodec.encode(new Frame.Acks("r" + Long.MAX_VALUE, part)).length;
      assertThat(size).isLessThanOrEqualTo(maxFrame);
    }
    assertThat(parts.stream().mapToInt(List::size).sum()).isEqualTo(64);
  }
}
