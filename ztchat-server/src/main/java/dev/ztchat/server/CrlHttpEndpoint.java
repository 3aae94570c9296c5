package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the CA's current revocation list over plain HTTP at {@code /ca.crl} (DER, {@code
 * application/pkix-crl}), the URL that issued certificates name as their CRL distribution point,
 * so that scanners and other TLS tools can find it. A CRL is public and signed by the CA: serving
 * it without TLS leaks nothing and lets no one alter it unnoticed. Nothing else is served.
 */
public final class CrlHttpEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CrlHttpEndpoint.class);

  private final HttpServer http;

  private CrlHttpEndpoint(HttpServer http) {
    this.http = http;
  }

  /** Serves {@code crl} (the relay's current list; null while it has none) on {@code bind:port}. */
  public static CrlHttpEndpoint start(String bind, int port, Supplier<X509CRL> crl) throws IOException {
    requireNonNull(crl, "crl");
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(bind, port), 16);
    } catch (java.net.BindException e) {
      throw new IOException("cannot serve the CRL on " + bind + ":" + port + " (" + e.getMessage()
          + "): choose another --crl-port, or 0 to not serve it", e);
    }
    http.createContext("/", exchange -> answer(exchange, crl.get()));
    http.setExecutor(null);
    http.start();
    LOG.info("CRL published at http://{}:{}/ca.crl", bind, http.getAddress().getPort());
    return new CrlHttpEndpoint(http);
  }

  private static void answer(HttpExchange exchange, X509CRL crl) throws IOException {
    try (exchange) {
      boolean get = "GET".equals(exchange.getRequestMethod()) || "HEAD".equals(exchange.getRequestMethod());
      if (!get || !"/ca.crl".equals(exchange.getRequestURI().getPath()) || crl == null) {
        exchange.sendResponseHeaders(get ? 404 : 405, -1);
        return;
      }
      byte[] der;
      try {
        der = crl.getEncoded();
      } catch (CRLException e) {
        exchange.sendResponseHeaders(500, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "application/pkix-crl");
      exchange.getResponseHeaders().set("Cache-Control", "max-age=60");
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, der.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(der);
      }
    }
  }

  /** The port it listens on. */
  public int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
