package dev.ztchat.core.envelope;

import java.time.Duration;

/**
 * A sender's certificates could not be looked up for a local or transient reason (no connection, a
 * timeout, the relay's rate limit): nothing is known about the sender, so the envelope must be
 * neither shown nor discarded, but opened again later. {@link #retryAfter()} is the least wait the
 * directory asked for (zero when it asked for none).
 */
public final class SenderLookupUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public SenderLookupUnavailableException(String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
  }

  /** The least time to wait before asking again. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
