package dev.ztchat.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The length-prefix decoder, in isolation; its frame-stall timer runs on the channel's frozen time.
 */
class FrameDecoderTest {
  private static final int LIMIT = 4096;
  private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(10);

  /** A channel on frozen time whose decoder's failures land in {@code caught}. */
  static EmbeddedChannel stallWatched(AtomicReference<Throwable> caught) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline()
        .addLast(
            new FrameDecoder(LIMIT, FRAME_TIMEOUT),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                caught.set(cause);
              }
            });
    return ch;
  }

  static void advance(EmbeddedChannel ch, Duration by) {
    ch.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
    ch.runScheduledPendingTasks();
  }

  @Test
  void halfFrame_stalledForTheFrameTimeout_isReportedAsStalled() {
    AtomicReference<Throwable> caught = new AtomicReference<>();
    EmbeddedChannel ch = stallWatched(caught);
    ch.writeInbound(Unpooled.buffer().writeInt(100).writeZero(40));

    advance(ch, FRAME_TIMEOUT.minusMillis(1));
    assertThat(caught.get()).as("still within the frame timeout").isNull();

    advance(ch, Duration.ofMillis(1));
    assertThat(caught.get())
        .isInstanceOfSatisfying(
            StalledFrameException.class, e -> assertThat(e.bufferedBytes()).isEqualTo(44));
    ch.finishAndReleaseAll();
  }

  @Test
  void frameCompletedWithinTheTimeout_isPassedOn_andNothingStallsLater() {
    AtomicReference<Throwable> caught = new AtomicReference<>();
    EmbeddedChannel ch = stallWatched(caught);
    ch.writeInbound(Unpooled.buffer().writeInt(100).writeZero(40));
    advance(ch, FRAME_TIMEOUT.minusMillis(1));

    ch.writeInbound(Unpooled.buffer().writeZero(60));
    ByteBuf payload = ch.readInbound();
    payload.release();
    advance(ch, FRAME_TIMEOUT.multipliedBy(2));

    assertThat(caught.get()).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void timeoutRunsPerFrame_fromThatFramesFirstByte() {
    AtomicReference<Throwable> caught = new AtomicReference<>();
    EmbeddedChannel ch = stallWatched(caught);
    // one whole frame and the start of the next, in one read
    ch.writeInbound(Unpooled.buffer().writeInt(4).writeZero(4).writeInt(100).writeZero(10));
    ((ByteBuf) ch.readInbound()).release();

    advance(ch, FRAME_TIMEOUT.minusMillis(1));
    assertThat(caught.get()).isNull();
    advance(ch, Duration.ofMillis(1));
    assertThat(caught.get()).isInstanceOf(StalledFrameException.class);
    ch.finishAndReleaseAll();
  }

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
