package dev.ztchat.core.transport;

import dev.ztchat.core.protocol.ProtocolLimits;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Splits the byte stream into frames: a 4-byte big-endian unsigned length, then that many bytes
 * (docs/PROTOCOL.md section 3). Emits each payload as a {@link ByteBuf} without the prefix.
 *
 * <p>Security guarantees: the announced length is checked as soon as the prefix is read, before any
 * of the body is buffered; a frame over the limit raises {@link FrameTooLargeException} at once. A
 * length of zero is passed on (as an empty payload) for the codec to reject. A frame whose body is
 * still incomplete {@code frameTimeout} after its first byte raises {@link StalledFrameException},
 * so a peer cannot hold a half-frame buffer forever.
 */
public final class FrameDecoder extends LengthFieldBasedFrameDecoder {
  private final int maxPayload;
  private final long frameTimeoutNanos;
  private ScheduledFuture<?> stallCheck;
  private boolean failed;

  public FrameDecoder(int maxPayload, Duration frameTimeout) {
    super(
        ByteOrder.BIG_ENDIAN,
        maxPayload + ProtocolLimits.LENGTH_PREFIX_BYTES,
        0,
        ProtocolLimits.LENGTH_PREFIX_BYTES,
        0,
        ProtocolLimits.LENGTH_PREFIX_BYTES,
        true);
    this.maxPayload = maxPayload;
    this.frameTimeoutNanos = frameTimeout.toNanos();
  }

  @Override
  protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
    long announced = super.getUnadjustedFrameLength(buf, offset, length, order);
    if (announced > maxPayload) {
      failed = true;
      throw new FrameTooLargeException(announced, maxPayload);
    }
    return announced;
  }

  @Override
  protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return null;
    }
    Object frame = super.decode(ctx, in);
    if (frame != null) {
      // Progress: the timeout applies to each frame, measured from its own first byte.
      cancelStallCheck();
    }
    return frame;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    // Whatever is left in the cumulation buffer is the start of an incomplete frame.
    if (!failed && actualReadableBytes() > 0) {
      if (stallCheck == null && frameTimeoutNanos > 0) {
        stallCheck =
            ctx.executor()
                .schedule(() -> onStallCheck(ctx), frameTimeoutNanos, TimeUnit.NANOSECONDS);
      }
    } else {
      cancelStallCheck();
    }
    super.channelReadComplete(ctx);
  }

  private void onStallCheck(ChannelHandlerContext ctx) {
    stallCheck = null;
    if (!failed && actualReadableBytes() > 0 && ctx.channel().isActive()) {
      failed = true;
      ctx.fireExceptionCaught(new StalledFrameException(actualReadableBytes(), frameTimeoutNanos));
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelStallCheck();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelStallCheck();
    super.channelInactive(ctx);
  }

  private void cancelStallCheck() {
    if (stallCheck != null) {
      stallCheck.cancel(false);
      stallCheck = null;
    }
  }
}
