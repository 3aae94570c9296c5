package dev.ztchat.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.transport.FrameDecoder;
import dev.ztchat.core.transport.FrameTooLargeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.time.Duration;

/**
 * Fuzz targets for everything that parses bytes from a peer: the frame codec (JSON), the envelope
 * codec (binary) and the frame decoder (length prefix) in a Netty pipeline. In a normal build they
 * run once over the checked-in corpus in {@code DecoderFuzzTestInputs/<method>/}; with {@code
 * JAZZER_FUZZ=1} Jazzer mutates inputs for as long as it is allowed (docs/SECURITY.md).
 */
class DecoderFuzzTest {
  private static final int LIMIT = 4096;

  /**
   * Decoding never fails with anything but MalformedFrameException; what decodes re-encodes and
   * decodes equal.
   */
  @FuzzTest(maxDuration = "60s")
  void frameCodecDecode(byte[] payload) throws MalformedFrameException {
    Frame frame;
    try {
      frame = FrameCodec.decode(payload);
    } catch (MalformedFrameException expected) {
      return;
    }
    assertThat(FrameCodec.decode(FrameCodec.encode(frame))).isEqualTo(frame);
  }

  /**
   * Decoding never fails with anything but MalformedEnvelopeException; what decodes is canonical.
   */
  @FuzzTest(maxDuration = "60s")
  void envelopeCodecDecode(byte[] bytes) {
    SealedEnvelope e;
    try {
      e = EnvelopeCodec.decode(bytes);
    } catch (MalformedEnvelopeException expected) {
      return;
    }
    assertThat(EnvelopeCodec.encode(e)).isEqualTo(bytes);
  }

  /** The frame decoder emits only payloads within the limit, or refuses the frame as too large. */
  @FuzzTest(maxDuration = "60s")
  void frameDecoderStream(byte[] stream) {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(LIMIT, Duration.ofSeconds(10)));
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(stream));
    } catch (DecoderException e) {
      assertThat(e).isInstanceOf(FrameTooLargeException.class);
    }
    ByteBuf out;
    while ((out = ch.readInbound()) != null) {
      try {
        assertThat(out.readableBytes()).isLessThanOrEqualTo(LIMIT);
      } finally {
        out.release();
      }
    }
    ch.finishAndReleaseAll();
  }
}
