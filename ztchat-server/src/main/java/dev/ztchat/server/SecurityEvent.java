package dev.ztchat.server;

/** The kinds of security event the relay reports; each is logged one line and counted. */
public enum SecurityEvent {
  /** A TLS handshake failed (no certificate, foreign CA, expired, wrong EKU, old protocol...). */
  HANDSHAKE_FAILED,
  /** A frame announced a length over the limit; the connection was closed. */
  FRAME_TOO_LARGE,
  /** A frame's body did not arrive in time; the connection was closed. */
  FRAME_STALLED,
  /** A connection sent nothing for the idle timeout; it was closed. */
  IDLE_TIMEOUT,
  /** A frame claimed a sender other than the connection's identity; it was dropped. */
  SPOOFING,
  /** A frame was not a valid protocol frame. */
  MALFORMED_FRAME,
  /** A connection sent too many bad frames and was closed. */
  TOO_MANY_ERRORS,
  /** A published certificate was refused. */
  BAD_CERTIFICATE,
  /** A live connection's certificate was revoked; the connection was closed. */
  REVOKED,
  /** An identity sent frames faster than its rate limit: throttled, then closed if it kept on. */
  RATE_LIMITED,
  /**
   * An identity, or the relay as a whole, was at its connection cap; the new connection was closed.
   */
  TOO_MANY_CONNECTIONS,
  /**
   * A remote address had too many connections still in the TLS handshake; the new one was closed.
   */
  TOO_MANY_HANDSHAKES,
  /**
   * An identity fetched another user's prekey bundles faster than the drain limits allow; it got
   * the last-resort prekey instead of a one-time prekey (docs/v2/prekeys.md section 5).
   */
  PREKEY_DRAIN
}
