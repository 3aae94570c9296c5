package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.transport.FrameDecoder;
import dev.ztchat.core.transport.FrameEncoder;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Builds each connection's pipeline, top to bottom: TLS (client certificate required) → flush
 * consolidation → the per-address count of unfinished handshakes → idle timeout → frame decoder
 * with the size limit → frame encoder → payload decoder (bytes to {@code Frame}s: every handler
 * after it reads frames) → identity binding → session start (with the connection caps) →
 * per-identity rate limit → relay → guard. A connection from an address with too many unfinished
 * handshakes is closed before TLS.
 *
 * <p>Flush consolidation: every frame the relay writes used to leave in a TLS record and a socket
 * write of its own when its writer flushed it (a {@code sent} to the sender and an {@code ok} to
 * the recipient for each envelope acknowledged from memory). Flushes are now held while the
 * connection is reading, or until the event loop has run the tasks already queued, and then made
 * once, so the frames of one read or one store batch share records and system calls. Nothing is
 * held longer than that: a flush is never delayed past the event loop's current turn.
 */
final class RelayServerInitializer extends ChannelInitializer<SocketChannel> {
  private final Supplier<SslContext> sslContext;
  private final RelayContext relay;
  private final IdentityRateLimiter limiter;
  private final Counter framesReceived;
  private final ChannelHandler identity;
  private final ChannelHandler session;
  private final ChannelHandler guard;

  /** Flushes passed on at the latest after this many were held (Netty's default). */
  static final int FLUSH_AFTER = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

  private final PreAuthLimiter preAuth = new PreAuthLimiter();

  /** {@code sslContext} is asked once per connection: a reload changes it for new ones only. */
  RelayServerInitializer(Supplier<SslContext> sslContext, RelayContext relay) {
    this.sslContext = requireNonNull(sslContext, "sslContext");
    this.relay = requireNonNull(relay, "relay");
    this.limiter =
        new IdentityRateLimiter(
            relay.config().messagesPerSecond(),
            relay.config().burst(),
            TimeMeter.SYSTEM_NANOTIME,
            relay.connections()::nodesServing);
    this.framesReceived = RateLimitHandler.framesReceived(relay);
    // the handlers that keep no state of a connection are made once, here
    this.identity = new IdentityBindingHandler(relay, IdentityBindingHandler.handshakesOk(relay));
    this.session = new SessionStartHandler(relay);
    this.guard = new ConnectionGuardHandler(relay);
  }

  /**
   * The flush consolidation each connection gets right after TLS: flushes made during a read wait
   * for its end, and flushes made outside a read (answers of a store batch, of an acknowledgement
   * from memory) wait for the event loop's queued tasks.
   */
  static ChannelHandler flushConsolidation() {
    return new FlushConsolidationHandler(FLUSH_AFTER, true);
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    RelayServerConfig config = relay.config();
    int perAddress = config.connections().preAuthPerAddress();
    ChannelHandler preAuthRelease = preAuth.admit(ch, perAddress);
    if (preAuthRelease == null) {
      relay
          .security()
          .record(
              SecurityEvent.TOO_MANY_HANDSHAKES,
              null,
              ch.remoteAddress(),
              "limit",
              perAddress,
              "action",
              "closed");
      ch.close();
      return;
    }
    SslHandler tls = sslContext.get().newHandler(ch.alloc());
    tls.setHandshakeTimeout(config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ch.pipeline()
        .addLast("tls", tls)
        .addLast("flush", flushConsolidation())
        .addLast("preAuth", preAuthRelease)
        .addLast(
            "idle",
            new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
        .addLast("frameDecoder", new FrameDecoder(config.maxFrame(), config.frameTimeout()))
        .addLast("frameEncoder", FrameEncoder.INSTANCE)
        .addLast("frameCodec", FramePayloadDecoder.INSTANCE)
        .addLast("identity", identity)
        .addLast("session", session)
        .addLast("rateLimit", new RateLimitHandler(limiter, relay, framesReceived))
        .addLast("relay", new RelayHandler(relay))
        .addLast("guard", guard);
  }
}
