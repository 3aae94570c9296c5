package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;

/**
 * The page's server: HTTP and one WebSocket on 127.0.0.1 only (never another interface), on a free
 * port or the one asked for. The pipeline reads top to bottom: HTTP codec, aggregator (with a
 * limit), {@link RequestGuardHandler} (host, origin, session), the WebSocket handshake on {@code
 * /ws}, then {@link ChatSocketHandler}.
 */
public final class WebServer implements AutoCloseable {
  /** The largest request or WebSocket message accepted. */
  static final int MAX_MESSAGE = 256 * 1024;

  private final EventLoopGroup group;
  private final Channel channel;
  private final SessionGate gate;
  private final int port;

  private WebServer(EventLoopGroup group, Channel channel, SessionGate gate) {
    this.group = group;
    this.channel = channel;
    this.gate = gate;
    this.port = ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /**
   * Binds 127.0.0.1:{@code port} ({@code 0}: a free port) and serves the page for {@code chat}.
   *
   * @throws IOException if the port cannot be bound (in use, or not allowed)
   */
  public static WebServer start(WebChat chat, int port) throws IOException {
    requireNonNull(chat, "chat");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("the web port must be 0 to 65535, not " + port);
    }
    SessionGate gate = new SessionGate(new SecureRandom());
    PageFiles files = PageFiles.load();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel ch =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                      c.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(MAX_MESSAGE))
                          .addLast(new RequestGuardHandler(gate, files))
                          .addLast(
                              new WebSocketServerProtocolHandler(
                                  WebSocketServerProtocolConfig.newBuilder()
                                      .websocketPath(RequestGuardHandler.SOCKET_PATH)
                                      .maxFramePayloadLength(MAX_MESSAGE)
                                      .checkStartsWith(false)
                                      .build()))
                          .addLast(new ChatSocketHandler(chat));
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", port))
              .sync()
              .channel();
      return new WebServer(group, ch, gate);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully();
      throw new IOException("interrupted while starting the web server", e);
    } catch (Exception e) { // Netty rethrows the bind's checked BindException undeclared
      group.shutdownGracefully();
      throw new IOException(
          "cannot listen on 127.0.0.1:"
              + port
              + " ("
              + e.getMessage()
              + "): choose another"
              + " --web-port, or leave it out for a free one",
          e);
    }
  }

  /** The port the page is served on. */
  public int port() {
    return port;
  }

  /** The address to open, holding the one-time secret: print it to the user only, never log it. */
  public URI address() {
    return URI.create(
        "http://127.0.0.1:" + port + RequestGuardHandler.LOGIN_PATH + "?k=" + gate.secret());
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully().syncUninterruptibly();
  }
}
