package dev.ztchat.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {
  private static final Frame SEND = new Frame.Send("r1", new byte[1100]);

  @Test
  void encode_writesTheBigEndianLengthThenTheCodecPayload() {
    EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
    ch.writeOutbound(SEND);
    ByteBuf out = ch.readOutbound();
    try {
      byte[] payload = FrameCodec.encode(SEND);
      assertThat(out.readableBytes()).isEqualTo(4 + payload.length);
      assertThat(out.getInt(0)).isEqualTo(payload.length);
      assertThat(ByteBufUtil.getBytes(out, 4, payload.length)).isEqualTo(payload);
    } finally {
      out.release();
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void encodedFrames_decodeThroughTheFrameDecoder() throws Exception {
    EmbeddedChannel writer = new EmbeddedChannel(FrameEncoder.INSTANCE);
    writer.writeOutbound(SEND, new Frame.Ping("p"));
    EmbeddedChannel reader = new EmbeddedChannel(new FrameDecoder(4096, Duration.ofSeconds(10)));
    ByteBuf wire = Unpooled.buffer();
    for (ByteBuf b = writer.readOutbound(); b != null; b = writer.readOutbound()) {
      wire.writeBytes(b);
      b.release();
    }
    reader.writeInbound(wire);
    ByteBuf first = reader.readInbound();
    ByteBuf second = reader.readInbound();
    try {
      assertThat(FrameCodec.decode(ByteBufUtil.getBytes(first))).isEqualTo(SEND);
      assertThat(FrameCodec.decode(ByteBufUtil.getBytes(second))).isEqualTo(new Frame.Ping("p"));
    } finally {
      first.release();
      second.release();
      writer.finishAndReleaseAll();
      reader.finishAndReleaseAll();
    }
  }
}
