package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;

/**
 * Enforces the per-identity frame rate (docs/PROTOCOL.md section 4.3) between identity binding and
 * routing. A frame over the limit is dropped and answered with {@code error} code {@code
 * rate_limited}; a connection that keeps sending over the limit ({@value #STRIKES}× the burst
 * dropped within {@value #WINDOW_SECONDS} s) is logged as {@link SecurityEvent#RATE_LIMITED} and
 * closed after a last error frame that says why. Other identities have their own buckets and are
 * not slowed down.
 */
final class RateLimitHandler extends ChannelInboundHandlerAdapter {
  static final int STRIKES = 3;
  static final int WINDOW_SECONDS = 10;

  private final IdentityRateLimiter limiter;
  private final RelayContext relay;
  private long windowStart;
  private int droppedInWindow;
  private boolean closing;

  RateLimitHandler(IdentityRateLimiter limiter, RelayContext relay) {
    this.limiter = requireNonNull(limiter, "limiter");
    this.relay = requireNonNull(relay, "relay");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    String identity = ConnectionIdentity.of(ctx.channel());
    if (!(msg instanceof ByteBuf payload) || identity == null) {
      ctx.fireChannelRead(msg);
      return;
    }
    Frame.Ack requested = requestedAck(ctx, payload);
    if (requested != null) {
      payload.release();
      ctx.fireChannelRead(requested); // decoded once: the router takes the frame as it is
      return;
    }
    if (limiter.tryAcquire(identity)) {
      ctx.fireChannelRead(msg);
      return;
    }
    String ref;
    try {
      ref = refOf(payload);
    } finally {
      payload.release();
    }
    if (closing) {
      return;
    }
    long now = limiter.nanoTime();
    if (droppedInWindow == 0 || now - windowStart > TimeUnit.SECONDS.toNanos(WINDOW_SECONDS)) {
      windowStart = now;
      droppedInWindow = 0;
      relay.security().record(SecurityEvent.RATE_LIMITED, identity, ctx.channel().remoteAddress(),
          "rate", limiter.perSecond(), "burst", limiter.burst(), "action", "throttled");
    }
    droppedInWindow++;
    if (droppedInWindow >= STRIKES * limiter.burst()) {
      closing = true;
      relay.security().record(SecurityEvent.RATE_LIMITED, identity, ctx.channel().remoteAddress(),
          "dropped", droppedInWindow, "window_s", WINDOW_SECONDS, "action", "closed");
      ctx.writeAndFlush(new Frame.Error(ref, ErrorCode.RATE_LIMITED,
              "connection closed: you kept sending faster than " + limiter.perSecond()
                  + " frames per second after " + droppedInWindow + " frames were dropped"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.writeAndFlush(new Frame.Error(ref, ErrorCode.RATE_LIMITED,
        "slow down: more than " + limiter.perSecond() + " frames per second (burst "
            + limiter.burst() + "); this frame was dropped"));
  }

  /**
   * An {@code ack} for an envelope the relay pushed on this connection (it spends one {@link
   * AckCredits credit}), decoded; null for any other frame. Such acks are not charged to the budget.
   * Only small frames are decoded here, and only while the connection has credits: an ack is a few
   * hundred bytes at most.
   */
  private static Frame.Ack requestedAck(ChannelHandlerContext ctx, ByteBuf payload) {
    if (payload.readableBytes() > MAX_ACK_BYTES || !AckCredits.any(ctx.channel())) {
      return null;
    }
    try {
      Frame frame = FrameCodec.decode(ByteBufUtil.getBytes(payload));
      return frame instanceof Frame.Ack ack && AckCredits.spend(ctx.channel()) ? ack : null;
    } catch (MalformedFrameException e) {
      return null;
    }
  }

  /** Larger than any valid ack (type, ref of 64, sender of 64, a 32-digit id, JSON around them). */
  private static final int MAX_ACK_BYTES = 512;

  /** The request's ref, so that the sender can match the refusal; null when it cannot be read. */
  private static String refOf(ByteBuf payload) {
    try {
      return FrameCodec.decode(ByteBufUtil.getBytes(payload)).ref();
    } catch (MalformedFrameException e) {
      return e.ref();
    }
  }
}
