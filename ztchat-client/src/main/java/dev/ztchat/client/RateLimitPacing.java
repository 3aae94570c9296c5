package dev.ztchat.client;

import dev.ztchat.core.protocol.ErrorCode;
import java.io.IOException;
import java.time.Duration;

/**
 * Asks the relay again, after a pause, when it answered {@code rate_limited}: the relay drops a
 * frame over its per-user rate (docs/PROTOCOL.md, rate limits) and lets frames through again as its
 * budget refills, so a burst of lookups or sends (a large group's bundles) goes out paced instead
 * of failing. Bounded: after {@link #TRIES} refusals the last one is thrown.
 */
final class RateLimitPacing {
  /** Most times one request is asked while the relay keeps answering {@code rate_limited}. */
  static final int TRIES = 10;

  /** One request to the relay. */
  interface Request<T> {
    T ask() throws IOException;
  }

  private RateLimitPacing() {}

  /** {@code request}'s answer, asked again after {@code pause} each time it is rate limited. */
  static <T> T paced(Duration pause, Request<T> request) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return request.ask();
      } catch (RelayConnection.RelayException e) {
        if (e.code() != ErrorCode.RATE_LIMITED || attempt >= TRIES) {
          throw e;
        }
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the server's rate limit", e);
      }
    }
  }

  /** As {@link #paced(Duration, Request)} with {@link ContactDirectory#RATE_LIMITED_PAUSE}. */
  static <T> T paced(Request<T> request) throws IOException {
    return paced(ContactDirectory.RATE_LIMITED_PAUSE, request);
  }
}
