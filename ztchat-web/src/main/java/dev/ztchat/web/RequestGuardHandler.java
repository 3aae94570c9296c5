package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The first handler of every request: refuses what did not come from the page itself, then serves
 * the page's files or passes a WebSocket upgrade on. In order:
 *
 * <ol>
 *   <li>the {@code Host} header must name this loopback address and port ({@code 127.0.0.1:PORT} or
 *       {@code localhost:PORT}): a name that resolves to 127.0.0.1 by DNS rebinding is refused;
 *   <li>a request a browser marks as cross-site ({@code Sec-Fetch-Site}), or with a foreign {@code
 *       Origin}, is refused; a WebSocket upgrade must carry this page's {@code Origin};
 *   <li>only {@code GET};
 *   <li>{@code /login?k=SECRET} exchanges the one-time secret for the session cookie ({@link
 *       SessionGate}); every other request must carry that cookie.
 * </ol>
 *
 * <p>Every answer carries a strict Content-Security-Policy (no inline script, nothing from another
 * origin), {@code Cache-Control: no-store}, {@code nosniff}, no referrer and no framing. Nothing is
 * logged: the request line of a login holds the secret.
 */
final class RequestGuardHandler extends ChannelInboundHandlerAdapter {
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src"
          + " 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  static final String LOGIN_PATH = "/login";
  static final String SOCKET_PATH = "/ws";

  private final SessionGate gate;
  private final PageFiles files;

  RequestGuardHandler(SessionGate gate, PageFiles files) {
    this.gate = requireNonNull(gate, "gate");
    this.files = requireNonNull(files, "files");
  }

  /** The name of the session cookie: per port, as browsers share cookies across ports. */
  static String cookieName(int port) {
    return "ztchat-" + port;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ctx.fireChannelRead(msg); // WebSocket frames after the upgrade
      return;
    }
    boolean passedOn = false;
    try {
      passedOn = handle(ctx, req);
    } finally {
      if (!passedOn) {
        ReferenceCountUtil.release(req);
      }
    }
  }

  /** True if {@code req} was passed on to the WebSocket handshake (which then owns it). */
  private boolean handle(ChannelHandlerContext ctx, FullHttpRequest req) {
    int port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
    HttpHeaders h = req.headers();
    if (!req.decoderResult().isSuccess()) {
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, "Malformed request.");
      return false;
    }
    String host = h.get(HttpHeaderNames.HOST);
    if (host == null || !allowedHosts(port).contains(host)) {
      refuse(
          ctx,
          req,
          HttpResponseStatus.MISDIRECTED_REQUEST,
          "Refused: this page answers only at http://127.0.0.1:" + port + "/.");
      return false;
    }
    String site = h.get("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      refuse(ctx, req, HttpResponseStatus.FORBIDDEN, "Refused: a request from another site.");
      return false;
    }
    String origin = h.get(HttpHeaderNames.ORIGIN);
    boolean upgrade = h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    if ((origin != null || upgrade) && (origin == null || !allowedOrigins(port).contains(origin))) {
      refuse(ctx, req, HttpResponseStatus.FORBIDDEN, "Refused: a request from another origin.");
      return false;
    }
    if (!req.method().equals(HttpMethod.GET)) {
      refuse(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "Only GET is served here.");
      return false;
    }
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    try {
      uri.path();
      uri.parameters();
    } catch (IllegalArgumentException e) {
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, "Malformed address.");
      return false;
    }
    boolean hasSession = gate.isSession(cookie(h, cookieName(port)));
    if (uri.path().equals(LOGIN_PATH)) {
      login(ctx, req, uri, port, hasSession);
      return false;
    }
    if (!hasSession) {
      refuse(
          ctx,
          req,
          HttpResponseStatus.FORBIDDEN,
          "Refused: open the address that `ztchat web` printed (it holds a one-time key), or start"
              + " it again for a new one.");
      return false;
    }
    if (uri.path().equals(SOCKET_PATH) && upgrade) {
      ctx.fireChannelRead(req);
      return true;
    }
    Optional<PageFiles.File> file = files.get(uri.path());
    if (file.isEmpty()) {
      refuse(ctx, req, HttpResponseStatus.NOT_FOUND, "Not found.");
      return false;
    }
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(file.get().body()));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, file.get().contentType());
    send(ctx, req, res);
    return false;
  }

  private void login(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      QueryStringDecoder uri,
      int port,
      boolean hasSession) {
    List<String> k = uri.parameters().get("k");
    Optional<String> session =
        k == null || k.size() != 1 ? Optional.empty() : gate.redeem(k.getFirst());
    if (session.isEmpty() && !hasSession) {
      refuse(
          ctx,
          req,
          HttpResponseStatus.FORBIDDEN,
          "Refused: this address was already used or is wrong. Each address opens one browser"
              + " session; start `ztchat web` again for a new one.");
      return;
    }
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.SEE_OTHER, Unpooled.EMPTY_BUFFER);
    res.headers().set(HttpHeaderNames.LOCATION, "/");
    session.ifPresent(
        s -> {
          DefaultCookie c = new DefaultCookie(cookieName(port), s);
          c.setHttpOnly(true);
          c.setPath("/");
          c.setSameSite(CookieHeaderNames.SameSite.Strict);
          res.headers().set(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(c));
        });
    send(ctx, req, res);
  }

  private static String cookie(HttpHeaders h, String name) {
    String header = h.get(HttpHeaderNames.COOKIE);
    if (header == null) {
      return null;
    }
    for (Cookie c : ServerCookieDecoder.STRICT.decode(header)) {
      if (c.name().equals(name)) {
        return c.value();
      }
    }
    return null;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // said nothing to log: the request may hold the secret
  }

  static Set<String> allowedHosts(int port) {
    return Set.of("127.0.0.1:" + port, "localhost:" + port);
  }

  static Set<String> allowedOrigins(int port) {
    return Set.of("http://127.0.0.1:" + port, "http://localhost:" + port);
  }

  private static void refuse(
      ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String text) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    send(ctx, req, res);
  }

  /** Sends {@code res} with the security headers; keeps the connection only when asked to. */
  private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
    secure(res.headers());
    HttpUtil.setContentLength(res, res.content().readableBytes());
    boolean keepAlive = HttpUtil.isKeepAlive(req) && res.status().code() < 400;
    HttpUtil.setKeepAlive(res, keepAlive);
    var f = ctx.writeAndFlush(res);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  static void secure(HttpHeaders h) {
    h.set("Content-Security-Policy", CSP);
    h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", "DENY");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    h.set("Cross-Origin-Resource-Policy", "same-origin");
  }
}
