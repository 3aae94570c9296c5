package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.server.store.QueueLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the relay is configured with, validated up front: a bad value is a hard error that
 * names the setting and its allowed range.
 */
public record RelayServerConfig(
    CertsLayout certs,
    String bindAddress,
    int port,
    int maxFrame,
    Duration idleTimeout,
    Duration frameTimeout,
    Duration handshakeTimeout,
    QueueLimits queue,
    int messagesPerSecond,
    int burst,
    ConnectionLimits connections) {
  public RelayServerConfig {
    requireNonNull(certs, "certs");
    requireNonNull(bindAddress, "bindAddress");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(frameTimeout, "frameTimeout");
    requireNonNull(handshakeTimeout, "handshakeTimeout");
    requireNonNull(queue, "queue");
    requireNonNull(connections, "connections");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "--port " + port + " is out of range: use 0 to 65535 (0 picks a free port)");
    }
    if (maxFrame < ProtocolLimits.MIN_MAX_FRAME || maxFrame > ProtocolLimits.MAX_MAX_FRAME) {
      throw new IllegalArgumentException(
          "--max-frame "
              + maxFrame
              + " is out of range: use "
              + ProtocolLimits.MIN_MAX_FRAME
              + " to "
              + ProtocolLimits.MAX_MAX_FRAME
              + " bytes (default "
              + ProtocolLimits.DEFAULT_MAX_FRAME
              + ")");
    }
    positive("--idle-timeout", idleTimeout);
    positive("--frame-timeout", frameTimeout);
    positive("--handshake-timeout", handshakeTimeout);
    if (messagesPerSecond < 1 || messagesPerSecond > ProtocolLimits.MAX_FRAMES_PER_SECOND) {
      throw new IllegalArgumentException(
          "--rate "
              + messagesPerSecond
              + " is out of range: use 1 to "
              + ProtocolLimits.MAX_FRAMES_PER_SECOND
              + " frames per second per user (default "
              + ProtocolLimits.DEFAULT_FRAMES_PER_SECOND
              + ")");
    }
    if (burst < 1 || burst > ProtocolLimits.MAX_FRAME_BURST) {
      throw new IllegalArgumentException(
          "--burst "
              + burst
              + " is out of range: use 1 to "
              + ProtocolLimits.MAX_FRAME_BURST
              + " frames (default "
              + ProtocolLimits.DEFAULT_FRAME_BURST
              + ")");
    }
  }

  /** With the default connection caps. */
  public RelayServerConfig(
      CertsLayout certs,
      String bindAddress,
      int port,
      int maxFrame,
      Duration idleTimeout,
      Duration frameTimeout,
      Duration handshakeTimeout,
      QueueLimits queue,
      int messagesPerSecond,
      int burst) {
    this(
        certs,
        bindAddress,
        port,
        maxFrame,
        idleTimeout,
        frameTimeout,
        handshakeTimeout,
        queue,
        messagesPerSecond,
        burst,
        ConnectionLimits.defaults());
  }

  /** Without rate-limit settings: the default per-user rate and burst. */
  public RelayServerConfig(
      CertsLayout certs,
      String bindAddress,
      int port,
      int maxFrame,
      Duration idleTimeout,
      Duration frameTimeout,
      Duration handshakeTimeout,
      QueueLimits queue) {
    this(
        certs,
        bindAddress,
        port,
        maxFrame,
        idleTimeout,
        frameTimeout,
        handshakeTimeout,
        queue,
        ProtocolLimits.DEFAULT_FRAMES_PER_SECOND,
        ProtocolLimits.DEFAULT_FRAME_BURST);
  }

  /**
   * Defaults for everything but the folders: 127.0.0.1:8443, {@link
   * ProtocolLimits#DEFAULT_MAX_FRAME}-byte frames, the default connection caps, the store in {@code
   * dataDir}.
   */
  public static RelayServerConfig defaults(CertsLayout certs, Path dataDir) {
    return new RelayServerConfig(
        certs,
        "127.0.0.1",
        8443,
        ProtocolLimits.DEFAULT_MAX_FRAME,
        ProtocolLimits.DEFAULT_IDLE_TIMEOUT,
        ProtocolLimits.DEFAULT_FRAME_TIMEOUT,
        ProtocolLimits.DEFAULT_HANDSHAKE_TIMEOUT,
        QueueLimits.defaults(dataDir),
        ProtocolLimits.DEFAULT_FRAMES_PER_SECOND,
        ProtocolLimits.DEFAULT_FRAME_BURST,
        ConnectionLimits.defaults());
  }

  /**
   * Defaults, with the store in {@code relay-data} inside the certs folder, so that every
   * throw-away setup (tests, the demo, the attack suite) has its own.
   */
  public static RelayServerConfig defaults(CertsLayout certs) {
    return defaults(certs, certs.root().toAbsolutePath().resolve("relay-data"));
  }

  public RelayServerConfig withQueue(QueueLimits limits) {
    return new RelayServerConfig(
        certs,
        bindAddress,
        port,
        maxFrame,
        idleTimeout,
        frameTimeout,
        handshakeTimeout,
        limits,
        messagesPerSecond,
        burst,
        connections);
  }

  public RelayServerConfig withPort(int newPort) {
    return new RelayServerConfig(
        certs,
        bindAddress,
        newPort,
        maxFrame,
        idleTimeout,
        frameTimeout,
        handshakeTimeout,
        queue,
        messagesPerSecond,
        burst,
        connections);
  }

  public RelayServerConfig withBindAddress(String address) {
    return new RelayServerConfig(
        certs,
        address,
        port,
        maxFrame,
        idleTimeout,
        frameTimeout,
        handshakeTimeout,
        queue,
        messagesPerSecond,
        burst,
        connections);
  }

  public RelayServerConfig withMaxFrame(int bytes) {
    return new RelayServerConfig(
        certs,
        bindAddress,
        port,
        bytes,
        idleTimeout,
        frameTimeout,
        handshakeTimeout,
        queue,
        messagesPerSecond,
        burst,
        connections);
  }

  public RelayServerConfig withTimeouts(Duration idle, Duration frame, Duration handshake) {
    return new RelayServerConfig(
        certs,
        bindAddress,
        port,
        maxFrame,
        idle,
        frame,
        handshake,
        queue,
        messagesPerSecond,
        burst,
        connections);
  }

  /**
   * The per-user token bucket: {@code perSecond} frames refilled each second, up to {@code
   * burstFrames}.
   */
  public RelayServerConfig withRateLimit(int perSecond, int burstFrames) {
    return new RelayServerConfig(
        certs,
        bindAddress,
        port,
        maxFrame,
        idleTimeout,
        frameTimeout,
        handshakeTimeout,
        queue,
        perSecond,
        burstFrames,
        connections);
  }

  /** The connection caps: per identity, in all, and unfinished handshakes per remote address. */
  public RelayServerConfig withConnectionLimits(ConnectionLimits limits) {
    return new RelayServerConfig(
        certs,
        bindAddress,
        port,
        maxFrame,
        idleTimeout,
        frameTimeout,
        handshakeTimeout,
        queue,
        messagesPerSecond,
        burst,
        limits);
  }

  private static void positive(String name, Duration d) {
    if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          name + " " + d + " is out of range: use more than 0 and at most 1 day");
    }
  }
}
