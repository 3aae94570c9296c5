package dev.ztchat.attacks;

import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.SecurityEvent;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code downgrade}: with alice's valid certificate, offer only old protocol versions or only TLS
 * 1.2 suites without AEAD or without forward secrecy. Uses BoringSSL (netty-tcnative), which can
 * still speak TLS 1.0 and 1.1; the JDK cannot.
 */
final class DowngradeAttack implements Attack {
  private record Offer(String label, String protocol, List<String> ciphers) {}

  private static final List<Offer> OFFERS =
      List.of(
          new Offer("TLS 1.1 only", "TLSv1.1", List.of()),
          new Offer("TLS 1.0 only", "TLSv1", List.of()),
          new Offer(
              "TLS 1.2 with only CBC suites",
              "TLSv1.2",
              List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA")),
          new Offer(
              "TLS 1.2 with only static-RSA (no forward secrecy) suites",
              "TLSv1.2",
              List.of("TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384")));

  @Override
  public String name() {
    return "downgrade";
  }

  @Override
  public String whatIsTried() {
    return "with a valid certificate, offer only TLS 1.0/1.1, or TLS 1.2 with only CBC or only"
        + " static-RSA suites";
  }

  @Override
  public String expectedDefence() {
    return "the server refuses every such handshake (TLS 1.3, or 1.2 with ECDHE and AEAD only)";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    if (!OpenSsl.isAvailable()) {
      throw new CouldNotRunException(
          "BoringSSL (netty-tcnative) did not load, and the JDK cannot offer TLS 1.0/1.1");
    }
    Credential alice = target.user("alice").signing();
    if (!handshake(target, alice, "TLSv1.2", List.of())) {
      throw new CouldNotRunException(
          "the control handshake with TLS 1.2 and default suites failed");
    }
    List<String> accepted = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    List<String> notSeenByServer = new ArrayList<>();
    for (Offer o : OFFERS) {
      long before = target.count(SecurityEvent.HANDSHAKE_FAILED);
      boolean ok = handshake(target, alice, o.protocol(), o.ciphers());
      (ok ? accepted : refused).add(o.label());
      // The server, not our own TLS library, must be the one that refused: it logs each refusal.
      if (!ok
          && before >= 0
          && !Polling.eventually(
              Duration.ofSeconds(2), () -> target.count(SecurityEvent.HANDSHAKE_FAILED) > before)) {
        notSeenByServer.add(o.label());
      }
    }
    if (!notSeenByServer.isEmpty()) {
      throw new CouldNotRunException(
          "these offers failed before the server refused them: " + notSeenByServer);
    }
    if (!accepted.isEmpty()) {
      return Verdict.broken("the server accepted: " + String.join("; ", accepted));
    }
    return Verdict.held(
        "refused: "
            + String.join("; ", refused)
            + " (control: TLS 1.2 with AEAD accepted"
            + (target.count(SecurityEvent.HANDSHAKE_FAILED) >= 0
                ? "; each refusal logged as HANDSHAKE_FAILED"
                : "")
            + ")");
  }

  private static boolean handshake(
      AttackTarget target, Credential me, String protocol, List<String> ciphers) throws Exception {
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.OPENSSL)
            .keyManager(me.privateKey(), me.certificate())
            .trustManager(target.caCertificate())
            .protocols(protocol);
    if (!ciphers.isEmpty()) {
      b.ciphers(ciphers);
    }
    SslContext ctx = b.build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    AtomicReference<SslHandler> tls = new AtomicReference<>();
    try {
      Channel ch =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                      tls.set(ctx.newHandler(c.alloc(), target.host(), target.port()));
                      c.pipeline()
                          .addLast(tls.get())
                          .addLast(
                              new ChannelInboundHandlerAdapter() {
                                @Override
                                public void exceptionCaught(
                                    ChannelHandlerContext ctx, Throwable cause) {
                                  ctx.close(); // the refused handshake is the expected outcome,
                                  // read from its future
                                }
                              });
                    }
                  })
              .connect(target.host(), target.port())
              .sync()
              .channel();
      Future<Channel> hs = tls.get().handshakeFuture();
      hs.await(5, TimeUnit.SECONDS);
      boolean ok = hs.isSuccess();
      ch.close().sync();
      return ok;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
