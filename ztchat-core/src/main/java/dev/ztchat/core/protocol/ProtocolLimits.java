package dev.ztchat.core.protocol;

import java.time.Duration;

/**
 * The protocol's limits and defaults, in one place (docs/PROTOCOL.md sections 3 and 4). Servers may
 * be configured differently; these are the defaults and the hard bounds.
 */
public final class ProtocolLimits {
  /** Protocol version announced in {@code welcome}. */
  public static final int PROTOCOL_VERSION = 1;

  /**
   * Default largest frame payload the server accepts from a client, in bytes (docs/PROTOCOL.md
   * section 3). Large enough that a version-2 first message whose ratchet header carries both
   * post-quantum fields (an envelope of about 6 KB before its text, docs/v2/envelope.md 4.4) fits
   * with room for text; 4096 did not.
   */
  public static final int DEFAULT_MAX_FRAME = 16384;

  /**
   * Smallest {@code --max-frame} a server may be configured with (one sealed envelope must fit).
   */
  public static final int MIN_MAX_FRAME = 2048;

  /** Largest {@code --max-frame} a server may be configured with. */
  public static final int MAX_MAX_FRAME = 1 << 20;

  /** Largest frame a client accepts from the server. */
  public static final int CLIENT_MAX_INBOUND_FRAME = 65536;

  /**
   * Bytes a {@code deliver} may exceed {@code maxFrame} by, as a client checks it (section 3): the
   * envelope fit in a {@code send} of at most {@code maxFrame} bytes, and {@code deliver} wraps it
   * in a few more.
   */
  public static final int DELIVER_OVERHEAD = 64;

  /** Bytes a JSON {@code deliver} adds to the base64 of its envelope: {"type":"deliver",...}. */
  static final int JSON_DELIVER_WRAPPING = 32;

  /**
   * The largest envelope a relay with this {@code maxFrame} accepts, in whatever frame it came
   * (docs/v2/envelope.md section 4.4): one whose JSON {@code deliver} (base64) fits in {@code
   * maxFrame + 64} bytes, so that a client that reads only JSON frames can receive everything the
   * relay accepts. An envelope that fit in a JSON {@code send} is always within it.
   */
  public static int maxEnvelopeBytes(int maxFrame) {
    return 3 * ((maxFrame + DELIVER_OVERHEAD - JSON_DELIVER_WRAPPING) / 4);
  }

  /** Length of the frame length prefix, in bytes. */
  public static final int LENGTH_PREFIX_BYTES = 4;

  /** Deepest JSON nesting accepted in a frame. */
  public static final int MAX_JSON_DEPTH = 8;

  /** Errors answered on one connection before the server gives up on it. */
  public static final int MAX_ERRORS_PER_CONNECTION = 16;

  /** Default time after which a connection that sent nothing is closed. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** Default time a frame's body may take to arrive once its first byte came. */
  public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(10);

  /** Default time a TLS handshake may take. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How long a relay keeps a message for an offline recipient by default, and so how old a message
   * a receiver accepts by default.
   */
  public static final Duration DEFAULT_MESSAGE_TTL = Duration.ofDays(7);

  /** Default frames per second one user may send, over all its connections (token refill rate). */
  public static final int DEFAULT_FRAMES_PER_SECOND = 20;

  /** Default number of frames one user may send at once before the rate applies (bucket size). */
  public static final int DEFAULT_FRAME_BURST = 40;

  /** Largest {@code --rate} a server may be configured with. */
  public static final int MAX_FRAMES_PER_SECOND = 100_000;

  /** Largest {@code --burst} a server may be configured with. */
  public static final int MAX_FRAME_BURST = 1_000_000;

  /**
   * Envelopes a relay pushes to a connection and leaves unacknowledged, at most, unless the
   * connection announced a larger live window (docs/PROTOCOL.md section 9).
   */
  public static final int DEFAULT_LIVE_WINDOW = 64;

  /**
   * The largest live window a relay grants ({@code window} in {@code features}, docs/PROTOCOL.md
   * section 9); it also bounds the bytes in flight.
   */
  public static final int MAX_LIVE_WINDOW = 512;

  private ProtocolLimits() {}
}
