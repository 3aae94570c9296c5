package dev.ztchat.bench;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.transport.FrameDecoder;
import dev.ztchat.core.transport.FrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import java.time.Duration;

/**
 * A load client's view of one ztchat connection: decodes each frame the relay sends and hands it to
 * a {@link Listener}; writes go out as {@link Frame}s or as pre-encoded frame bytes.
 */
final class ZtFrameHandler extends SimpleChannelInboundHandler<ByteBuf> {
  /** What a load client does with the relay's frames. */
  interface Listener {
    void onFrame(ChannelHandlerContext ctx, Frame frame);

    default void onReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    default void onWritable(ChannelHandlerContext ctx) {}

    default void onClosed(ChannelHandlerContext ctx) {}
  }

  private final Listener listener;

  private ZtFrameHandler(Listener listener) {
    this.listener = listener;
  }

  /** Adds the frame codec and {@code listener} after TLS. */
  static void install(ChannelPipeline p, Listener listener) {
    p.addLast(
            "frameDecoder",
            new FrameDecoder(ProtocolLimits.CLIENT_MAX_INBOUND_FRAME, Duration.ofSeconds(30)))
        .addLast("frameEncoder", FrameEncoder.INSTANCE)
        .addLast("bench", new ZtFrameHandler(listener));
  }

  /** {@code payload} with its 4-byte length prefix: a frame ready to write as bytes. */
  static byte[] framed(byte[] payload) {
    byte[] b = new byte[payload.length + 4];
    b[0] = (byte) (payload.length >>> 24);
    b[1] = (byte) (payload.length >>> 16);
    b[2] = (byte) (payload.length >>> 8);
    b[3] = (byte) payload.length;
    System.arraycopy(payload, 0, b, 4, payload.length);
    return b;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) throws Exception {
    listener.onFrame(ctx, FrameCodec.decode(ByteBufUtil.getBytes(msg)));
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    listener.onReadComplete(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      listener.onWritable(ctx);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    listener.onClosed(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
