package dev.ztchat.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private static final int LIMIT = 4096;

  @Test
  void lengthOverTheLimit_isRefusedFromThePrefixAlone() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(LIMIT, Duration.ofSeconds(10)));
    ByteBuf prefixOnly = Unpooled.buffer().writeInt(LIMIT + 1);
    assertThatThrownBy(() -> ch.writeInbound(prefixOnly))
        .isInstanceOfSatisfying(
            FrameTooLargeException.class, e -> assertThat(e.announced()).isEqualTo(LIMIT + 1));
    ch.finishAndReleaseAll();
  }

  @Test
  void lengthAtTheLimit_isPassedOnWithoutThePrefix() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(LIMIT, Duration.ofSeconds(10)));
    ch.writeInbound(Unpooled.buffer().writeInt(LIMIT).writeZero(LIMIT));
    ByteBuf payload = ch.readInbound();
    try {
      assertThat(payload.readableBytes()).isEqualTo(LIMIT);
    } finally {
      payload.release();
      ch.finishAndReleaseAll();
    }
  }
}
