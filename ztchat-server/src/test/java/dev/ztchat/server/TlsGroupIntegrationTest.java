package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.transport.TlsContexts;
import dev.ztchat.core.transport.TlsSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which TLS 1.3 key exchange group a real relay negotiates (docs/v2/transport.md): the hybrid
 * post-quantum X25519MLKEM768 with a client that offers it, X25519 with one that does not. Observed
 * in the BoringSSL client's own session, as the group name BoringSSL reports.
 */
class TlsGroupIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;
  EventLoopGroup group;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(
        OpenSsl.isAvailable(), "BoringSSL not available: the relay would use the JDK's TLS");
    pki = TestPki.create("alice");
    server =
        RelayServer.start(RelayTestSupport.relayConfig(pki, dir), SslProvider.OPENSSL, clock());
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  static java.time.Clock clock() {
    return java.time.Clock.systemUTC();
  }

  @AfterEach
  void stop() {
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  /** Completes a TLS handshake with the relay offering {@code groups}; returns the group used. */
  String negotiatedGroup(Credential client, List<String> groups) throws Exception {
    SslContext context =
        TlsContexts.client(client, pki.ca().certificate(), SslProvider.OPENSSL, groups);
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel c) {
                    c.pipeline().addLast(context.newHandler(c.alloc(), "127.0.0.1", server.port()));
                  }
                })
            .connect("127.0.0.1", server.port())
            .sync()
            .channel();
    try {
      SslHandler tls = ch.pipeline().get(SslHandler.class);
      assertThat(tls.handshakeFuture().await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(tls.handshakeFuture().isSuccess())
          .as("handshake: %s", tls.handshakeFuture().cause())
          .isTrue();
      assertThat(tls.engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
      ReferenceCountedOpenSslEngine engine = (ReferenceCountedOpenSslEngine) tls.engine();
      synchronized (engine) {
        return SSL.getGroupName(engine.sslPointer());
      }
    } finally {
      ch.close().sync();
    }
  }

  @Test
  void hybridCapableClient_negotiatesX25519MLKEM768() throws Exception {
    assertThat(negotiatedGroup(pki.user("alice").signing(), TlsSettings.GROUPS))
        .isEqualTo("X25519MLKEM768");
  }

  @Test
  void x25519OnlyClient_fallsBackToX25519() throws Exception {
    assertThat(negotiatedGroup(pki.user("alice").signing(), List.of("X25519"))).isEqualTo("X25519");
  }

  @Test
  void deviceCertificateClient_negotiatesTheHybridGroupToo() throws Exception {
    Credential device =
        CertificateIssuer.issueDevice(
            pki.ca(),
            "alice",
            Instant.now().minus(Duration.ofMinutes(5)),
            Duration.ofDays(1),
            null);

    assertThat(negotiatedGroup(device, TlsSettings.GROUPS)).isEqualTo("X25519MLKEM768");
  }
}
