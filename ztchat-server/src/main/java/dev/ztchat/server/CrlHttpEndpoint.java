package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.remedy.RemedyIOException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the CA's current revocation list over plain HTTP at {@code /ca.crl} (DER, {@code
 * application/pkix-crl}), the URL that issued certificates name as their CRL distribution point, so
 * that scanners and other TLS tools can find it. A CRL is public and signed by the CA: serving it
 * without TLS leaks nothing and lets no one alter it unnoticed. Nothing else is served.
 *
 * <p>Served on a Netty event loop, so no peer can hold it up: each connection gets one request
 * (answered with {@code Connection: close}) and must send it whole within the request timeout, or
 * it is closed; request lines, headers and bodies are bounded; and at most {@code maxConnections}
 * connections are open at once (more are closed at once).
 */
public final class CrlHttpEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CrlHttpEndpoint.class);

  /** How long a connection may take to send its request by default. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Connections open at once by default. */
  public static final int DEFAULT_MAX_CONNECTIONS = 256;

  private static final int MAX_REQUEST_LINE = 4096;
  private static final int MAX_HEADERS = 8192;
  private static final int MAX_BODY = 1024;

  private final EventLoopGroup group;
  private final Channel server;

  private CrlHttpEndpoint(EventLoopGroup group, Channel server) {
    this.group = group;
    this.server = server;
  }

  /** Serves {@code crl} (the relay's current list; null while it has none) on {@code bind:port}. */
  public static CrlHttpEndpoint start(String bind, int port, Supplier<X509CRL> crl)
      throws IOException {
    return start(bind, port, crl, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_CONNECTIONS);
  }

  /**
   * As {@link #start(String, int, Supplier)}, closing connections that have not sent a whole
   * request within {@code requestTimeout} and any beyond {@code maxConnections} open at once.
   */
  public static CrlHttpEndpoint start(
      String bind, int port, Supplier<X509CRL> crl, Duration requestTimeout, int maxConnections)
      throws IOException {
    requireNonNull(bind, "bind");
    requireNonNull(crl, "crl");
    requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException(
          "the CRL request timeout must be positive, not " + requestTimeout);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "the CRL endpoint's connection limit must be at least 1, not " + maxConnections);
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    AtomicInteger open = new AtomicInteger();
    Channel server;
    try {
      server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      if (open.incrementAndGet() > maxConnections) {
                        open.decrementAndGet();
                        LOG.warn(
                            "CRL endpoint: {} connections open, closing the one from {}",
                            maxConnections,
                            ch.remoteAddress());
                        ch.close();
                        return;
                      }
                      ch.closeFuture().addListener(f -> open.decrementAndGet());
                      ch.eventLoop()
                          .schedule(
                              () -> {
                                if (ch.isActive()) {
                                  LOG.debug(
                                      "CRL endpoint: no whole request from {} within {}; closing",
                                      ch.remoteAddress(),
                                      requestTimeout);
                                  ch.close();
                                }
                              },
                              requestTimeout.toMillis(),
                              TimeUnit.MILLISECONDS);
                      ch.pipeline()
                          .addLast(new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, MAX_BODY))
                          .addLast(new HttpObjectAggregator(MAX_BODY))
                          .addLast(new Answer(crl));
                    }
                  })
              .bind(new InetSocketAddress(bind, port))
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) { // syncUninterruptibly rethrows a BindException undeclared
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new RemedyIOException(
          "cannot serve the CRL on " + bind + ":" + port + " (" + e.getMessage() + ")",
          Remedy.of(Remedy.Kind.OTHER_CRL_PORT),
          e);
    }
    CrlHttpEndpoint endpoint = new CrlHttpEndpoint(group, server);
    LOG.info("CRL published at http://{}:{}/ca.crl", bind, endpoint.port());
    return endpoint;
  }

  /** Answers the one request of a connection, then closes it. */
  private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Supplier<X509CRL> crl;

    Answer(Supplier<X509CRL> crl) {
      this.crl = crl;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      ctx.writeAndFlush(response(request, crl.get())).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug(
          "CRL endpoint: closing the connection from {}: {}",
          ctx.channel().remoteAddress(),
          cause.toString());
      ctx.close();
    }
  }

  private static FullHttpResponse response(FullHttpRequest request, X509CRL crl) {
    if (request.decoderResult().isFailure()) {
      return empty(HttpResponseStatus.BAD_REQUEST);
    }
    HttpMethod method = request.method();
    boolean get = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
    if (!get) {
      return empty(HttpResponseStatus.METHOD_NOT_ALLOWED);
    }
    if (!"/ca.crl".equals(new QueryStringDecoder(request.uri()).path()) || crl == null) {
      return empty(HttpResponseStatus.NOT_FOUND);
    }
    byte[] der;
    try {
      der = crl.getEncoded();
    } catch (CRLException e) {
      return empty(HttpResponseStatus.INTERNAL_SERVER_ERROR);
    }
    boolean head = HttpMethod.HEAD.equals(method);
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(der));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/pkix-crl")
        .set(HttpHeaderNames.CACHE_CONTROL, "max-age=60")
        .set(HttpHeaderNames.CONTENT_LENGTH, der.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return r;
  }

  private static FullHttpResponse empty(HttpResponseStatus status) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    r.headers()
        .set(HttpHeaderNames.CONTENT_LENGTH, 0)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return r;
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
