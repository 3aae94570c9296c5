package dev.ztchat.bench;

import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.transport.TlsSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * The load clients' side of the wire: a few event loops that open many mutual-TLS connections to
 * 127.0.0.1, each presenting a user's certificate and trusting only the bench CA. The same dialer
 * drives ztchat, Mosquitto and nginx, so both sides of every comparison pay the same client cost.
 */
final class Dialer implements AutoCloseable {
  static {
    // Every load-client connection is a full handshake: the client never offers a saved session.
    System.setProperty("io.netty.handler.ssl.openssl.sessionCacheClient", "false");
  }

  /**
   * Netty's OpenSSL client keys its session cache by host and port; a port number no other
   * connection uses means no saved session ever matches, even where the property above comes too
   * late (the class read it already). The number is only a cache key: the socket dials {@code
   * port}.
   */
  private static final AtomicInteger SESSION_KEY = new AtomicInteger();

  private final EventLoopGroup group;

  Dialer(int threads) {
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
  }

  /**
   * A client context presenting {@code me} and verifying the server's chain against {@code ca}. No
   * host name check and no session cache: every connection is a full handshake, the same for every
   * server compared.
   */
  static SslContext clientContext(Credential me, X509Certificate ca) throws SSLException {
    return builder(me, ca).build();
  }

  /**
   * As {@link #clientContext(Credential, X509Certificate)}, offering only the key exchange {@code
   * groups} (BoringSSL's names, e.g. {@code X25519MLKEM768}), so the group a handshake uses is
   * known: a server that does not accept any of them refuses the handshake. Needs BoringSSL.
   */
  static SslContext clientContext(Credential me, X509Certificate ca, List<String> groups)
      throws SSLException {
    if (TlsSettings.provider() != SslProvider.OPENSSL) {
      throw new SSLException("choosing the key exchange group needs BoringSSL (netty-tcnative)");
    }
    return builder(me, ca)
        .option(OpenSslContextOption.GROUPS, groups.toArray(String[]::new))
        .build();
  }

  private static SslContextBuilder builder(Credential me, X509Certificate ca) {
    return SslContextBuilder.forClient()
        .sslProvider(
            TlsSettings.provider() == SslProvider.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK)
        .keyManager(me.privateKey(), me.certificate())
        .trustManager(ca)
        .protocols(TlsSettings.PROTOCOLS)
        .ciphers(TlsSettings.CIPHERS);
  }

  /** Connects to 127.0.0.1:{@code port}; {@code pipeline} adds the handlers after TLS. */
  ChannelFuture dial(int port, SslContext tls, Consumer<ChannelPipeline> pipeline) {
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(
                        "tls",
                        tls.newHandler(
                            ch.alloc(),
                            "127.0.0.1",
                            1 + (SESSION_KEY.getAndIncrement() & 0x3fffffff)));
                pipeline.accept(ch.pipeline());
              }
            })
        .connect("127.0.0.1", port);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
