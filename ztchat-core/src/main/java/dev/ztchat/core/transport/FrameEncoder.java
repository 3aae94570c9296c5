package dev.ztchat.core.transport;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.ProtocolLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.io.IOException;

/** Writes a {@link Frame} as a 4-byte big-endian length followed by its JSON payload. */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
  public static final FrameEncoder INSTANCE = new FrameEncoder();

  private FrameEncoder() {
    super(Frame.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) throws IOException {
    // The payload is written straight into the outbound buffer, after a length that is filled in
    // once the payload's size is known.
    int prefixAt = out.writerIndex();
    out.writeInt(0);
    FrameCodec.encode(frame, new ByteBufOutputStream(out));
    out.setInt(prefixAt, out.writerIndex() - prefixAt - ProtocolLimits.LENGTH_PREFIX_BYTES);
  }
}
