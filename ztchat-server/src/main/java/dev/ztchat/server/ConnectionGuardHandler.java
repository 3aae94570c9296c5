package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.transport.FrameTooLargeException;
import dev.ztchat.core.transport.StalledFrameException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the pipeline: closes connections that broke a limit (oversized or stalled frame, idle
 * too long) with one security line each, and any connection whose handlers failed, without ever
 * sending a stack trace to the peer. It keeps no state of a connection: one serves every
 * connection.
 */
@ChannelHandler.Sharable
final class ConnectionGuardHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuardHandler.class);

  private final RelayContext relay;

  ConnectionGuardHandler(RelayContext relay) {
    this.relay = requireNonNull(relay, "relay");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String identity = ConnectionIdentity.of(ctx.channel());
    var remote = ctx.channel().remoteAddress();
    Throwable c = unwrap(cause);
    if (c instanceof FrameTooLargeException big) {
      relay
          .security()
          .human(
              "[!] Oversized frame ("
                  + big.announced()
                  + " bytes, limit "
                  + big.limit()
                  + ") from "
                  + (identity == null ? remote : identity)
                  + "; connection closed.");
      relay
          .security()
          .record(
              SecurityEvent.FRAME_TOO_LARGE,
              identity,
              remote,
              "size",
              big.announced(),
              "limit",
              big.limit(),
              "action",
              "closed");
    } else if (c instanceof StalledFrameException stalled) {
      relay
          .security()
          .record(
              SecurityEvent.FRAME_STALLED,
              identity,
              remote,
              "buffered",
              stalled.bufferedBytes(),
              "action",
              "closed");
    } else if (c instanceof IOException) {
      LOG.debug("connection error identity={} remote={}: {}", identity, remote, c.getMessage());
    } else if (ctx.channel().isActive()) {
      LOG.info("closing connection identity={} remote={}: {}", identity, remote, c.toString());
    }
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      relay
          .security()
          .record(
              SecurityEvent.IDLE_TIMEOUT,
              ConnectionIdentity.of(ctx.channel()),
              ctx.channel().remoteAddress(),
              "timeout_s",
              relay.config().idleTimeout().toSeconds(),
              "action",
              "closed");
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null
        && !(c instanceof FrameTooLargeException)
        && !(c instanceof StalledFrameException)) {
      c = c.getCause();
    }
    return c;
  }
}
