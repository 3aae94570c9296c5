package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.security.cert.X509Certificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the session of a connection whose peer {@link IdentityBindingHandler} verified: adds the
 * peer's signing certificate to the directory, admits the connection within the caps of {@link
 * ConnectionLimits}, binds the identity to it, sends {@code welcome} and attaches it to deliveries
 * of its queue. A certificate the directory refuses, or a connection over the caps, is logged as a
 * security event and closed (the latter after an {@code error} saying why), unbound.
 *
 * <p>An accepted connection logs one line at INFO, when its client first sends a frame ({@link
 * ConnectedLineHandler}); its handshake and its end are logged at DEBUG only: a relay that takes
 * hundreds of handshakes a second wrote two lines for each, and the number of open connections is a
 * metric. Refusals stay security events.
 *
 * <p>It keeps no state of a connection: one serves every connection.
 */
@ChannelHandler.Sharable
final class SessionStartHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(SessionStartHandler.class);

  /** The handlers that serve a session: a refused connection loses them at once. */
  private static final String[] SERVING = {"frameCodec", "rateLimit", "relay"};

  /**
   * The event that the peer was verified as {@code identity} by {@code certificate}.
   *
   * @param checkedInHandshake true only when {@link ClientCertificateTrustManager} checked this
   *     certificate in this connection's handshake (against the directory's root CA, for the role
   *     the directory takes it as, and the revocation list), so the directory does not check it
   *     again; false (a resumed session) has the directory check it in full
   */
  record VerifiedPeer(String identity, X509Certificate certificate, boolean checkedInHandshake) {
    VerifiedPeer {
      requireNonNull(identity, "identity");
      requireNonNull(certificate, "certificate");
    }

    /** A peer whose certificate the directory checks in full. */
    VerifiedPeer(String identity, X509Certificate certificate) {
      this(identity, certificate, false);
    }
  }

  private final RelayContext relay;

  SessionStartHandler(RelayContext relay) {
    this.relay = requireNonNull(relay, "relay");
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (!(evt instanceof VerifiedPeer peer)) {
      super.userEventTriggered(ctx, evt);
      return;
    }
    // one session per connection; its INFO line comes with the client's first frame
    ctx.pipeline().replace(this, ctx.name(), ConnectedLineHandler.INSTANCE);
    String identity = peer.identity();
    try {
      CertificateRole role = ClientCertificateTrustManager.roleOf(peer.certificate());
      if (peer.checkedInHandshake()) {
        relay.directory().learnPresentedChecked(identity, peer.certificate(), role);
      } else {
        relay.directory().learnPresented(identity, peer.certificate(), role);
      }
    } catch (CertificateRejectedException e) {
      relay
          .security()
          .record(
              SecurityEvent.HANDSHAKE_FAILED,
              identity,
              ctx.channel().remoteAddress(),
              "reason",
              e.getMessage(),
              "action",
              "closed");
      ctx.close();
      return;
    }
    ConnectionLimits limits = relay.config().connections();
    ConnectionRegistry.Refusal refused = relay.connections().admit(identity, ctx.channel(), limits);
    if (refused == ConnectionRegistry.Refusal.STORE_UNAVAILABLE) {
      LOG.info("refused: identity={} reason={}", identity, refused.logName());
      unserve(ctx);
      ctx.writeAndFlush(StoreOutage.frame()).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (refused != null) {
      refuse(ctx, identity, refused, limits);
      return;
    }
    ConnectionIdentity.bind(ctx.channel(), identity, peer.certificate());
    if (LOG.isDebugEnabled()) {
      LOG.debug("handshake: identity={} remote={}", identity, ctx.channel().remoteAddress());
      ctx.channel()
          .closeFuture()
          .addListener(
              f ->
                  LOG.debug(
                      "disconnected: identity={} remote={}",
                      identity,
                      ctx.channel().remoteAddress()));
    }
    ctx.writeAndFlush(
        new Frame.Welcome(
            ProtocolLimits.PROTOCOL_VERSION,
            identity,
            relay.config().maxFrame(),
            (int) relay.config().idleTimeout().toSeconds(),
            (int) relay.config().queue().ttl().toSeconds(),
            EnvelopeFormats.VERSIONS,
            AckRules.MAX_BATCH));
    relay.deliveries().attach(ctx.channel(), identity);
  }

  /**
   * One security line, a short reason to the peer, and a close of this connection only. The
   * connection stays unbound and loses its serving handlers at once: frames the peer sent right
   * after its handshake are never served.
   */
  private void refuse(
      ChannelHandlerContext ctx,
      String identity,
      ConnectionRegistry.Refusal refused,
      ConnectionLimits limits) {
    unserve(ctx);
    int limit =
        refused == ConnectionRegistry.Refusal.PER_IDENTITY ? limits.perIdentity() : limits.global();
    relay
        .security()
        .record(
            SecurityEvent.TOO_MANY_CONNECTIONS,
            identity,
            ctx.channel().remoteAddress(),
            "reason",
            refused.logName(),
            "limit",
            limit,
            "action",
            "closed");
    String why =
        refused == ConnectionRegistry.Refusal.PER_IDENTITY
            ? "too many connections for "
                + identity
                + " (limit "
                + limit
                + "): close another ztchat session and retry"
            : "the relay is at its connection limit: retry later";
    ctx.writeAndFlush(new Frame.Error(null, ErrorCode.RATE_LIMITED, why))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** Stops reading and removes the serving handlers: nothing the peer sent is served. */
  private static void unserve(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(false);
    for (String serving : SERVING) {
      if (ctx.pipeline().get(serving) != null) {
        ctx.pipeline().remove(serving);
      }
    }
  }
}
