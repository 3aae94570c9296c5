package dev.ztchat.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an accepted connection's one line at INFO ({@code connected: identity=... remote=...})
 * when its client sends its first frame, then leaves the pipeline. A connection that only completes
 * the handshake and closes (a load test, a probe) logs nothing at INFO: formatting and writing that
 * line was a tenth of the relay's Java work per handshake. A client that holds a session sends a
 * frame right after {@code welcome}, so its line comes at once. Refusals are security events of
 * their own ({@link SecurityLog}).
 */
@ChannelHandler.Sharable
final class ConnectedLineHandler extends ChannelInboundHandlerAdapter {
  /** It keeps no state of a connection: one serves every connection. */
  static final ConnectedLineHandler INSTANCE = new ConnectedLineHandler();

  /** The session start's logger: operators filter the connection lines by it. */
  private static final Logger LOG = LoggerFactory.getLogger(SessionStartHandler.class);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    String identity = ConnectionIdentity.of(ctx.channel());
    if (identity != null) {
      LOG.info("connected: identity={} remote={}", identity, ctx.channel().remoteAddress());
    }
    ctx.pipeline().remove(this);
    super.channelRead(ctx, msg);
  }
}
