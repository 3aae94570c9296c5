package dev.ztchat.server.ops;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.remedy.RemedyIOException;
import dev.ztchat.server.RelayServer;
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
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's admin listener, a plain-HTTP port separate from the relay's (bound to loopback unless
 * configured otherwise): {@code GET /metrics} (Prometheus text), {@code /livez} (the process
 * answers) and {@code /readyz} (200 when every {@link ReadinessCheck} passes, else 503 naming the
 * failing ones). Nothing else, no request bodies, one request per connection; requests are bounded
 * in size and time like the CRL endpoint's. What it serves holds no identity and no content, but it
 * does tell an observer how busy the relay is: keep it off the internet.
 */
public final class AdminHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHttpServer.class);
  private static final int MAX_REQUEST_LINE = 4096;
  private static final int MAX_HEADERS = 8192;
  private static final int MAX_BODY = 1024;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STORE_WAIT = Duration.ofSeconds(5);

  private final EventLoopGroup group;
  private final ExecutorService checks;
  private final RelayMetrics metrics;
  private final ReadinessCheck readiness;
  private Channel channel;

  private AdminHttpServer(RelayServer server, long minFreeBytes) {
    this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    this.checks =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-admin-checks");
              t.setDaemon(true);
              return t;
            });
    this.metrics = RelayMetrics.bind(server);
    this.readiness = new ReadinessCheck(server, minFreeBytes);
  }

  /** Serves {@code server}'s metrics and health on {@code bind:port} (port 0: any free port). */
  public static AdminHttpServer start(RelayServer server, String bind, int port)
      throws IOException {
    return start(server, bind, port, ReadinessCheck.DEFAULT_MIN_FREE_BYTES);
  }

  /** As {@link #start(RelayServer, String, int)}, unready below {@code minFreeBytes} of disk. */
  public static AdminHttpServer start(RelayServer server, String bind, int port, long minFreeBytes)
      throws IOException {
    requireNonNull(server, "server");
    requireNonNull(bind, "bind");
    AdminHttpServer admin = new AdminHttpServer(server, minFreeBytes);
    try {
      admin.channel =
          new ServerBootstrap()
              .group(admin.group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new ReadTimeoutHandler(
                                  REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                          .addLast(new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, MAX_BODY))
                          .addLast(new HttpObjectAggregator(MAX_BODY))
                          .addLast(admin.new Answer());
                    }
                  })
              .bind(new InetSocketAddress(bind, port))
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) { // syncUninterruptibly rethrows a BindException undeclared
      admin.close();
      throw new RemedyIOException(
          "cannot serve the admin listener on " + bind + ":" + port + " (" + e.getMessage() + ")",
          Remedy.of(Remedy.Kind.OTHER_PORT),
          e);
    }
    LOG.info("admin listener on http://{}:{}/ (metrics, livez, readyz)", bind, admin.port());
    return admin;
  }

  /** Answers the one request of a connection, then closes it. */
  private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      answer(request)
          .whenComplete(
              (r, e) ->
                  ctx.writeAndFlush(
                          e == null
                              ? r
                              : text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "error\n", false))
                      .addListener(ChannelFutureListener.CLOSE));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("admin listener: closing {}: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  private CompletableFuture<FullHttpResponse> answer(FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      return done(text(HttpResponseStatus.BAD_REQUEST, "bad request\n", false));
    }
    HttpMethod method = request.method();
    if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
      return done(text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n", false));
    }
    boolean head = HttpMethod.HEAD.equals(method);
    return switch (new QueryStringDecoder(request.uri()).path()) {
      case "/metrics" ->
          metrics
              .scrape(STORE_WAIT)
              .thenApply(
                  body -> {
                    FullHttpResponse r = text(HttpResponseStatus.OK, body, head);
                    r.headers()
                        .set(
                            HttpHeaderNames.CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8");
                    return r;
                  });
      case "/livez" -> done(text(HttpResponseStatus.OK, "live\n", head));
      case "/readyz" ->
          CompletableFuture.supplyAsync(
              () -> {
                List<ReadinessCheck.Result> results = readiness.run();
                boolean ready = ReadinessCheck.ready(results);
                String body =
                    (ready ? "ready\n" : "not ready\n")
                        + results.stream()
                            .map(ReadinessCheck.Result::toString)
                            .collect(Collectors.joining("\n", "", "\n"));
                return text(
                    ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    body,
                    head);
              },
              checks);
      default -> done(text(HttpResponseStatus.NOT_FOUND, "not found\n", false));
    };
  }

  private static CompletableFuture<FullHttpResponse> done(FullHttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body, boolean head) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return r;
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    checks.shutdownNow();
    metrics.close();
  }
}
