package dev.ztchat.attacks;

import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.IOException;
import java.net.SocketTimeoutException;

/**
 * The attacker's raw connections to an {@link AttackTarget}: the shared {@link RawFrameClient},
 * without Nagle (the attacks time round trips), and with a failure to set up the attack reported as
 * {@link CouldNotRunException}.
 */
final class AttackConnections {
  private AttackConnections() {}

  /** Connects as {@code user} and waits for the server's {@code welcome}. */
  static RawFrameClient welcomed(AttackTarget target, String user) throws Exception {
    return welcomed(target, user, target.user(user).signing());
  }

  /** Connects as {@code user} presenting {@code credential}, and waits for the {@code welcome}. */
  static RawFrameClient welcomed(AttackTarget target, String user, Credential credential)
      throws Exception {
    try {
      return RawFrameClient.connectWelcomed(
              target.host(), target.port(), credential, target.caCertificate())
          .withNoDelay();
    } catch (IOException | RuntimeException | MalformedFrameException e) {
      throw new CouldNotRunException(
          "could not connect as "
              + user
              + " to "
              + target.host()
              + ":"
              + target.port()
              + ": "
              + e.getMessage());
    }
  }

  /**
   * Connects as {@code user}: the client past the server's {@code welcome}, or null when the server
   * completed the handshake and then refused the connection (as over a connection cap).
   */
  static RawFrameClient welcomedOrRefused(AttackTarget target, String user) throws Exception {
    try {
      RawFrameClient c =
          RawFrameClient.connectWelcomedOrRefused(
              target.host(), target.port(), target.user(user).signing(), target.caCertificate());
      return c == null ? null : c.withNoDelay();
    } catch (SocketTimeoutException e) {
      throw new CouldNotRunException(
          "the server neither welcomed nor refused a connection as " + user);
    }
  }

  /**
   * Connects presenting {@code credential} (none when null); see {@link RawFrameClient#connect}.
   */
  static RawFrameClient connect(AttackTarget target, Credential credential) throws IOException {
    return RawFrameClient.connect(target.host(), target.port(), credential, target.caCertificate())
        .withNoDelay();
  }
}
