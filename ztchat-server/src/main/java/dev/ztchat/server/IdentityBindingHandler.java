package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the connection's identity when the TLS handshake completes: the CN of the client
 * certificate that the trust manager already verified. Registers the connection as online, adds
 * the certificate to the directory, and sends {@code welcome}. A failed handshake is logged as a
 * security event (one line, with the reason) and the connection closed; so is a connection over
 * the caps of {@link ConnectionLimits} (after an {@code error} saying why).
 */
final class IdentityBindingHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(IdentityBindingHandler.class);

  private final RelayContext relay;

  IdentityBindingHandler(RelayContext relay) {
    this.relay = requireNonNull(relay, "relay");
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (!(evt instanceof SslHandshakeCompletionEvent done)) {
      super.userEventTriggered(ctx, evt);
      return;
    }
    if (!done.isSuccess()) {
      relay
          .security()
          .record(
              SecurityEvent.HANDSHAKE_FAILED,
              null,
              ctx.channel().remoteAddress(),
              "reason",
              rootMessage(done.cause()),
              "action",
              "closed");
      ctx.close();
      return;
    }
    X509Certificate cert;
    try {
      Certificate[] peer = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
      cert = (X509Certificate) peer[0];
    } catch (SSLPeerUnverifiedException | RuntimeException e) {
      // Cannot happen with client auth REQUIRED; fail closed if it does.
      relay.security().record(SecurityEvent.HANDSHAKE_FAILED, null, ctx.channel().remoteAddress(),
          "reason", "no_verified_peer_certificate", "action", "closed");
      ctx.close();
      return;
    }
    String identity = Certificates.commonName(cert);
    try {
      relay.directory().learn(identity, cert, CertificateRole.USER_SIGNING);
    } catch (CertificateRejectedException e) {
      relay.security().record(SecurityEvent.HANDSHAKE_FAILED, identity, ctx.channel().remoteAddress(),
          "reason", e.getMessage(), "action", "closed");
      ctx.close();
      return;
    }
    ConnectionLimits limits = relay.config().connections();
    ConnectionRegistry.Refusal refused = relay.connections().admit(identity, ctx.channel(), limits);
    if (refused != null) {
      refuse(ctx, identity, refused, limits);
      return;
    }
    ConnectionIdentity.bind(ctx.channel(), identity, cert);
    LOG.info("connected: identity={} remote={}", identity, ctx.channel().remoteAddress());
    ctx.channel()
        .closeFuture()
        .addListener(f -> LOG.info("disconnected: identity={} remote={}", identity, ctx.channel().remoteAddress()));
    ctx.writeAndFlush(
        new Frame.Welcome(
            ProtocolLimits.PROTOCOL_VERSION,
            identity,
            relay.config().maxFrame(),
            (int) relay.config().idleTimeout().toSeconds(),
            (int) relay.config().queue().ttl().toSeconds()));
    relay.deliveries().attach(ctx.channel(), identity);
    ctx.pipeline().remove(this);
    super.userEventTriggered(ctx, evt);
  }

  /**
   * One security line, a short reason to the peer, and a close of this connection only. The
   * connection stays unbound and loses its relay handlers at once: frames the peer sent right
   * after its handshake are never served.
   */
  private void refuse(ChannelHandlerContext ctx, String identity, ConnectionRegistry.Refusal refused,
      ConnectionLimits limits) {
    ctx.channel().config().setAutoRead(false);
    for (String served : new String[] {"rateLimit", "relay"}) {
      if (ctx.pipeline().get(served) != null) {
        ctx.pipeline().remove(served);
      }
    }
    int limit = refused == ConnectionRegistry.Refusal.PER_IDENTITY ? limits.perIdentity() : limits.global();
    relay.security().record(SecurityEvent.TOO_MANY_CONNECTIONS, identity, ctx.channel().remoteAddress(),
        "reason", refused.logName(), "limit", limit, "action", "closed");
    String why = refused == ConnectionRegistry.Refusal.PER_IDENTITY
        ? "too many connections for " + identity + " (limit " + limit + "): close another ztchat session and retry"
        : "the relay is at its connection limit: retry later";
    ctx.writeAndFlush(new Frame.Error(null, ErrorCode.RATE_LIMITED, why)).addListener(ChannelFutureListener.CLOSE);
  }

  static String rootMessage(Throwable t) {
    if (t == null) {
      return "unknown";
    }
    String best = t.getMessage();
    for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
      if (c.getMessage() != null) {
        best = c.getMessage();
      }
    }
    return best == null ? t.getClass().getSimpleName() : best;
  }
}
