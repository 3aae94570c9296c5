package dev.ztchat.server;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Decodes each frame's payload into a {@link Frame}, once, right after the length-field decoder:
 * every handler after this one reads {@code Frame}s only. A payload that is not a valid frame
 * (docs/PROTOCOL.md section 4.3) is not passed on as a message but raised as a {@link
 * MalformedPayloadException}, which the rate limiter charges like any frame and the relay answers
 * (closing the connection when the payload was not even a JSON object).
 */
@ChannelHandler.Sharable
final class FramePayloadDecoder extends MessageToMessageDecoder<ByteBuf> {
  /** It keeps no state: one serves every connection. */
  static final FramePayloadDecoder INSTANCE = new FramePayloadDecoder();

  FramePayloadDecoder() {
    super(ByteBuf.class);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf payload, List<Object> out)
      throws MalformedPayloadException {
    int size = payload.readableBytes();
    try {
      out.add(FrameCodec.decode(ByteBufUtil.getBytes(payload)));
    } catch (MalformedFrameException e) {
      throw new MalformedPayloadException(e, size);
    }
  }
}
