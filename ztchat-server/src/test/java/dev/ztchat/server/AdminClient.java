package dev.ztchat.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Plain-HTTP requests to a relay's admin listener on loopback, as a monitoring system makes them.
 */
final class AdminClient {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final int port;

  AdminClient(int port) {
    this.port = port;
  }

  /** {@code GET path}, its answer. */
  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(15))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * {@code GET path} again until it answers {@code status} or {@code timeout} has passed; the last
   * answer (a real probe decides when the relay's state changes, so this polls).
   */
  HttpResponse<String> getUntil(String path, int status, Duration timeout) throws Exception {
    return getUntil(path, status, "", timeout);
  }

  /**
   * As {@link #getUntil(String, int, Duration)}, until the answer's body also holds {@code text}.
   */
  HttpResponse<String> getUntil(String path, int status, String text, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      HttpResponse<String> r = get(path);
      if ((r.statusCode() == status && r.body().contains(text))
          || System.nanoTime() - deadline > 0) {
        return r;
      }
      Thread.sleep(200);
    }
  }
}
