package dev.ztchat.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The page's server over real sockets, with a plain HTTP client that sends what a hostile page or a
 * DNS-rebinding attacker would: only the holder of the printed address gets in, once; foreign hosts
 * and origins are refused; every answer forbids caching and inline script.
 */
class WebServerSecurityIntegrationTest {
  @TempDir Path dir;
  WebChat chat;
  WebServer server;
  int port;

  @BeforeEach
  void start() throws IOException {
    chat = new WebChat(Clock.systemUTC(), dir);
    server = WebServer.start(chat, 0);
    port = server.port();
  }

  @AfterEach
  void stop() {
    server.close();
    chat.close();
  }

  String secret() {
    return server.address().getRawQuery().substring("k=".length());
  }

  /** Logs in with the printed address and returns the session cookie ("name=value"). */
  String login() throws IOException {
    RawHttp.Response r = RawHttp.get(port, "/login?k=" + secret());
    assertThat(r.status()).isEqualTo(303);
    return r.header("set-cookie").split(";")[0];
  }

  @Test
  void address_isLoopbackWithAOneTimeSecret() {
    URI a = server.address();
    assertThat(a.getScheme()).isEqualTo("http");
    assertThat(a.getHost()).isEqualTo("127.0.0.1");
    assertThat(a.getPort()).isEqualTo(port);
    assertThat(secret()).matches("[A-Za-z0-9_-]{43}");
  }

  @Test
  void server_listensOnLoopbackOnly() throws IOException {
    Optional<InetAddress> external =
        Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
            .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
            .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
            .findFirst();
    if (external.isPresent()) {
      try (Socket s = new Socket()) {
        assertThatThrownBy(() -> s.connect(new InetSocketAddress(external.get(), port), 2_000))
            .as("the port is not open on %s", external.get())
            .isInstanceOf(IOException.class);
      }
    }
    assertThat(RawHttp.get(port, "/").status()).isEqualTo(403);
  }

  @Test
  void everyRequestWithoutTheSessionCookie_isRefused() throws IOException {
    for (String path : List.of("/", "/app.js", "/style.css", "/icon.svg", "/nothing")) {
      RawHttp.Response r = RawHttp.get(port, path);
      assertThat(r.status()).as(path).isEqualTo(403);
      assertThat(r.body()).contains("open the address that `ztchat web` printed");
    }
    RawHttp.Response ws = RawHttp.get(port, "/ws", upgradeHeaders("http://127.0.0.1:" + port));
    assertThat(ws.status()).isEqualTo(403);
    RawHttp.Response forged = RawHttp.get(port, "/", "Cookie: ztchat-" + port + "=" + secret());
    assertThat(forged.status()).as("the secret itself is not a session").isEqualTo(403);
  }

  @Test
  void theSecret_becomesAnHttpOnlyStrictSessionCookie_andOpensThePage() throws IOException {
    RawHttp.Response r = RawHttp.get(port, "/login?k=" + secret());
    assertThat(r.status()).isEqualTo(303);
    assertThat(r.header("location")).isEqualTo("/");
    String cookie = r.header("set-cookie");
    assertThat(cookie)
        .startsWith("ztchat-" + port + "=")
        .contains("HTTPOnly")
        .contains("SameSite=Strict")
        .contains("Path=/")
        .doesNotContain(secret());
    String session = cookie.split(";")[0];
    RawHttp.Response page = RawHttp.get(port, "/", "Cookie: " + session);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("content-type")).startsWith("text/html");
    assertThat(page.body()).contains("<script type=\"module\" src=\"/app.js\"></script>");
    assertThat(RawHttp.get(port, "/app.js", "Cookie: " + session).header("content-type"))
        .startsWith("text/javascript");
  }

  @Test
  void theSecret_worksOnce() throws IOException {
    login();
    RawHttp.Response again = RawHttp.get(port, "/login?k=" + secret());
    assertThat(again.status()).isEqualTo(403);
    assertThat(again.header("set-cookie")).isNull();
    assertThat(again.body()).contains("already used");
  }

  @Test
  void aWrongSecret_isRefused() throws IOException {
    String s = secret();
    String wrong = (s.charAt(0) == 'A' ? 'B' : 'A') + s.substring(1);
    assertThat(RawHttp.get(port, "/login?k=" + wrong).status()).isEqualTo(403);
    assertThat(RawHttp.get(port, "/login").status()).isEqualTo(403);
    assertThat(RawHttp.get(port, "/login?k=" + s + "&k=" + s).status()).isEqualTo(403);
    login(); // the wrong tries did not use it up
  }

  @Test
  void aForeignHostHeader_isRefused_evenWithTheSession() throws IOException {
    String session = login();
    for (String host :
        List.of("evil.example:" + port, "127.0.0.1", "127.0.0.1:" + (port + 1), "localhost")) {
      RawHttp.Response r = RawHttp.get(port, "/", "Host: " + host, "Cookie: " + session);
      assertThat(r.status()).as("Host: %s (DNS rebinding)", host).isEqualTo(421);
    }
    RawHttp.Response noLoginThroughRebinding =
        RawHttp.get(port, "/login?k=x", "Host: evil.example:" + port);
    assertThat(noLoginThroughRebinding.status()).isEqualTo(421);
    assertThat(RawHttp.get(port, "/", "Host: localhost:" + port, "Cookie: " + session).status())
        .isEqualTo(200);
  }

  @Test
  void crossSiteRequests_areRefused_evenWithTheSession() throws IOException {
    String session = login();
    assertThat(RawHttp.get(port, "/", "Origin: http://evil.example", "Cookie: " + session).status())
        .isEqualTo(403);
    assertThat(
            RawHttp.get(port, "/", "Origin: http://127.0.0.1:" + (port + 1), "Cookie: " + session)
                .status())
        .isEqualTo(403);
    assertThat(RawHttp.get(port, "/", "Sec-Fetch-Site: cross-site", "Cookie: " + session).status())
        .isEqualTo(403);
    assertThat(RawHttp.get(port, "/", "Sec-Fetch-Site: same-site", "Cookie: " + session).status())
        .isEqualTo(403);
    assertThat(
            RawHttp.request(port, "POST", "/", "Cookie: " + session, "Content-Length: 0").status())
        .isEqualTo(405);
  }

  @Test
  void theWebSocket_needsThePagesOrigin() throws IOException {
    String session = login();
    String[] foreign = upgradeHeaders("http://evil.example");
    String[] withCookie = append(foreign, "Cookie: " + session);
    assertThat(RawHttp.get(port, "/ws", withCookie).status()).isEqualTo(403);
    String[] none = append(upgradeHeaders(null), "Cookie: " + session);
    assertThat(RawHttp.get(port, "/ws", none).status()).as("no Origin").isEqualTo(403);
    String[] own = append(upgradeHeaders("http://127.0.0.1:" + port), "Cookie: " + session);
    assertThat(RawHttp.get(port, "/ws", own).status()).isEqualTo(101);
  }

  @Test
  void everyAnswer_forbidsCachingInlineScriptAndFraming() throws IOException {
    String session = login();
    List<RawHttp.Response> answers =
        List.of(
            RawHttp.get(port, "/"),
            RawHttp.get(port, "/", "Cookie: " + session),
            RawHttp.get(port, "/app.js", "Cookie: " + session),
            RawHttp.get(port, "/missing", "Cookie: " + session),
            RawHttp.get(port, "/", "Host: evil.example:" + port),
            RawHttp.get(port, "/login?k=wrong"));
    for (RawHttp.Response r : answers) {
      assertThat(r.header("cache-control")).isEqualTo("no-store");
      String csp = r.header("content-security-policy");
      assertThat(csp)
          .contains("default-src 'none'")
          .contains("script-src 'self'")
          .contains("connect-src 'self'")
          .contains("frame-ancestors 'none'")
          .doesNotContain("unsafe-inline")
          .doesNotContain("unsafe-eval");
      assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
      assertThat(r.header("referrer-policy")).isEqualTo("no-referrer");
    }
  }

  @Test
  void thePage_hasNoInlineScriptNorAnythingFromElsewhere() throws IOException {
    for (String file : List.of("index.html", "app.js", "style.css")) {
      String text = resource(file);
      assertThat(text).doesNotContainPattern("(?i)https?://");
      assertThat(text).doesNotContainPattern("(?i)\\son[a-z]+\\s*=");
      assertThat(text).doesNotContain("innerHTML").doesNotContain("outerHTML");
      assertThat(text).doesNotContain("insertAdjacentHTML").doesNotContain("document.write");
      assertThat(text).doesNotContain("@import").doesNotContain("@font-face");
    }
    assertThat(resource("index.html"))
        .doesNotContainPattern("<script(?![^>]*\\ssrc=)")
        .doesNotContain("<style");
  }

  @Test
  void theSecret_isNeverLogged() throws IOException {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger netty = (Logger) LoggerFactory.getLogger("io.netty");
    Logger web = (Logger) LoggerFactory.getLogger("dev.ztchat.web");
    Level nettyLevel = netty.getLevel();
    Level webLevel = web.getLevel();
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    netty.setLevel(Level.TRACE);
    web.setLevel(Level.TRACE);
    try {
      String s = secret();
      RawHttp.get(port, "/login?k=" + s, "Host: evil.example:" + port);
      RawHttp.get(port, "/login?k=" + s + "x");
      String session = login();
      RawHttp.get(port, "/login?k=" + s);
      RawHttp.get(port, "/%zz?k=" + s, "Cookie: " + session);
      RawHttp.request(port, "BREW", "/login?k=" + s);
      for (ILoggingEvent e : List.copyOf(logged.list)) {
        String line =
            e.getFormattedMessage()
                + (e.getThrowableProxy() == null
                    ? ""
                    : ThrowableProxyUtil.asString(e.getThrowableProxy()));
        assertThat(line).doesNotContain(s).doesNotContain(session.split("=", 2)[1]);
      }
    } finally {
      root.detachAppender(logged);
      netty.setLevel(nettyLevel);
      web.setLevel(webLevel);
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = WebServer.class.getResourceAsStream("page/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String[] upgradeHeaders(String origin) {
    String[] h = {
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13"
    };
    return origin == null ? h : append(h, "Origin: " + origin);
  }

  private static String[] append(String[] a, String more) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = more;
    return out;
  }
}
