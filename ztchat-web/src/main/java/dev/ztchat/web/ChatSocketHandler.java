package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * One open page's WebSocket: joins it to {@link WebChat} once the handshake (already past {@link
 * RequestGuardHandler}) completed, hands each text message to it, and closes on anything else.
 */
final class ChatSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private final WebChat chat;

  ChatSocketHandler(WebChat chat) {
    this.chat = requireNonNull(chat, "chat");
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      chat.pageOpened(ctx.channel());
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame text) {
      chat.command(ctx.channel(), text.text());
    } else {
      ctx.writeAndFlush(new CloseWebSocketFrame(1003, "text messages only"))
          .addListener(f -> ctx.close());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a broken page connection; the page reconnects, the chat carries on
  }
}
