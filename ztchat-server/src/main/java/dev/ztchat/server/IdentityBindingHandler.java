package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.Certificates;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.ByteArrayInputStream;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Reads the connection's identity when the TLS handshake completes: the CN of the client
 * certificate that the trust manager already verified (the certificate and name it handed on, see
 * {@link VerifiedPeerHandOff}), handed to {@link SessionStartHandler} as a {@link
 * SessionStartHandler.VerifiedPeer} event. A failed handshake is logged as a security event (one
 * line, with the reason) and the connection closed. It keeps no state of a connection: one serves
 * every connection.
 */
@ChannelHandler.Sharable
final class IdentityBindingHandler extends ChannelInboundHandlerAdapter {
  private final RelayContext relay;
  private final Counter handshakesOk;

  /**
   * {@code handshakesOk} counts the handshakes it binds (made once per relay, not per connection).
   */
  IdentityBindingHandler(RelayContext relay, Counter handshakesOk) {
    this.relay = requireNonNull(relay, "relay");
    this.handshakesOk = requireNonNull(handshakesOk, "handshakesOk");
  }

  /** The counter of handshakes bound, in {@code relay}'s meters. */
  static Counter handshakesOk(RelayContext relay) {
    return Counter.builder("ztchat.handshakes")
        .description("TLS handshakes by outcome: ok, failed, refused (too many from one address)")
        .tag("outcome", "ok")
        .register(relay.security().meters());
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
    SessionStartHandler.VerifiedPeer peer;
    try {
      SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
      peer = VerifiedPeerHandOff.take(session).orElse(null);
      if (peer == null) {
        X509Certificate cert = parsedCopy(session.getPeerCertificates()[0]);
        peer = new SessionStartHandler.VerifiedPeer(Certificates.commonName(cert), cert);
      }
    } catch (SSLPeerUnverifiedException | CertificateException | RuntimeException e) {
      // Cannot happen with client auth REQUIRED; fail closed if it does.
      relay
          .security()
          .record(
              SecurityEvent.HANDSHAKE_FAILED,
              null,
              ctx.channel().remoteAddress(),
              "reason",
              "no_verified_peer_certificate",
              "action",
              "closed");
      ctx.close();
      return;
    }
    ctx.pipeline().remove(this);
    handshakesOk.increment();
    ctx.fireUserEventTriggered(peer);
    super.userEventTriggered(ctx, evt);
  }

  /**
   * The peer's certificate parsed from its DER. The TLS session's own object is left as it is:
   * BoringSSL's is parsed on first use and keeps what it parsed (several KiB of heap) for the life
   * of the connection, while this copy is dropped once the session is set up ({@link
   * ConnectionCertificate} keeps what the connection needs).
   */
  private static X509Certificate parsedCopy(Certificate peer) throws CertificateException {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(peer.getEncoded()));
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
