package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import io.micrometer.core.instrument.Counter;
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

  private final Counter frames;

  /** {@code frames} counts the frames it passes on (made once per relay, not per connection). */
  RateLimitHandler(IdentityRateLimiter limiter, RelayContext relay, Counter frames) {
    this.limiter = requireNonNull(limiter, "limiter");
    this.relay = requireNonNull(relay, "relay");
    this.frames = requireNonNull(frames, "frames");
  }

  /** The counter of frames received on authenticated connections, in {@code relay}'s meters. */
  static Counter framesReceived(RelayContext relay) {
    return Counter.builder("ztchat.frames.received")
        .description("Frames received on authenticated connections")
        .register(relay.security().meters());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    String identity = ConnectionIdentity.of(ctx.channel());
    if (!(msg instanceof Frame frame) || identity == null) {
      ctx.fireChannelRead(msg);
      return;
    }
    frames.increment();
    boolean requestedAck =
        switch (frame) {
          case Frame.Ack _ -> AckCredits.spend(ctx.channel(), 1);
          case Frame.Acks a -> AckCredits.spend(ctx.channel(), a.envelopes().size());
          default -> false;
        };
    if (requestedAck || limiter.tryAcquire(identity)) {
      ctx.fireChannelRead(frame);
    } else {
      drop(ctx, identity, frame.ref());
    }
  }

  /** A payload that is not a valid frame is charged like any frame; over the budget, dropped. */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String identity = ConnectionIdentity.of(ctx.channel());
    if (!(cause instanceof MalformedPayloadException malformed)
        || identity == null
        || limiter.tryAcquire(identity)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    drop(ctx, identity, malformed.reason().ref());
  }

  /** Drops a frame over the budget: an error with its {@code ref}, or a close after too many. */
  private void drop(ChannelHandlerContext ctx, String identity, String ref) {
    if (closing) {
      return;
    }
    long now = limiter.nanoTime();
    if (droppedInWindow == 0 || now - windowStart > TimeUnit.SECONDS.toNanos(WINDOW_SECONDS)) {
      windowStart = now;
      droppedInWindow = 0;
      relay
          .security()
          .record(
              SecurityEvent.RATE_LIMITED,
              identity,
              ctx.channel().remoteAddress(),
              "rate",
              limiter.perSecond(),
              "burst",
              limiter.burst(),
              "action",
              "throttled");
    }
    droppedInWindow++;
    if (droppedInWindow >= STRIKES * limiter.burst()) {
      closing = true;
      relay
          .security()
          .record(
              SecurityEvent.RATE_LIMITED,
              identity,
              ctx.channel().remoteAddress(),
              "dropped",
              droppedInWindow,
              "window_s",
              WINDOW_SECONDS,
              "action",
              "closed");
      ctx.writeAndFlush(
              new Frame.Error(
                  ref,
                  ErrorCode.RATE_LIMITED,
                  "connection closed: you kept sending faster than "
                      + limiter.perSecond()
                      + " frames per second after "
                      + droppedInWindow
                      + " frames were dropped"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.writeAndFlush(
        new Frame.Error(
            ref,
            ErrorCode.RATE_LIMITED,
            "slow down: more than "
                + limiter.perSecond()
                + " frames per second (burst "
                + limiter.burst()
                + "); this frame was dropped"));
  }
}
