package dev.ztchat.attacks;

import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.SecurityEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code bomb}: an authenticated client sends a frame over the size limit the relay announced in
 * its {@code welcome} (at least {@value #MIN_SIZE} bytes), whatever that limit is.
 */
final class BombAttack implements Attack {
  private static final int MIN_SIZE = 5000;

  @Override
  public String name() {
    return "bomb";
  }

  @Override
  public String whatIsTried() {
    return "authenticated as alice, send a frame one byte over the maxFrame the relay announced"
        + " ("
        + (ProtocolLimits.DEFAULT_MAX_FRAME + 1)
        + " bytes against the default limit of "
        + ProtocolLimits.DEFAULT_MAX_FRAME
        + ")";
  }

  @Override
  public String expectedDefence() {
    return "the server closes that connection at once and logs FRAME_TOO_LARGE";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    long before = target.count(SecurityEvent.FRAME_TOO_LARGE);
    try (RawFrameClient c = AttackConnections.welcomed(target, "alice")) {
      int limit = c.welcome().maxFrame();
      int size = Math.max(MIN_SIZE, limit + 1);
      byte[] bomb = RawFrameClient.framed(paddedPing(size));
      long start = System.nanoTime();
      try {
        c.sendRaw(bomb);
      } catch (IOException e) {
        // the server may already have reset the connection while the body was being written
      }
      boolean closed = c.closedWithin(Duration.ofSeconds(3));
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (!closed) {
        return Verdict.broken(
            "the server kept the connection open for 3 s after a "
                + size
                + "-byte frame (limit "
                + limit
                + ")");
      }
      if (ms > 1000) {
        return Verdict.broken(
            "the server closed the connection only after " + ms + " ms: it read the body first");
      }
      String alert;
      if (before < 0) {
        alert = "look for 'SECURITY event=FRAME_TOO_LARGE' in the server's log";
      } else if (Polling.eventually(
          Duration.ofSeconds(2), () -> target.count(SecurityEvent.FRAME_TOO_LARGE) > before)) {
        alert = "the server logged SECURITY event=FRAME_TOO_LARGE";
      } else {
        return Verdict.broken(
            "the connection was closed but the server logged no FRAME_TOO_LARGE alert");
      }
      return Verdict.held(
          "[SUCCESS] The server closed the connection immediately. ("
              + size
              + "-byte frame, limit "
              + limit
              + ", closed after "
              + ms
              + " ms; "
              + alert
              + ")");
    }
  }

  /** A ping padded with an ignored member to exactly {@code size} bytes. */
  private static byte[] paddedPing(int size) {
    String head = "{\"type\":\"ping\",\"ref\":\"bomb\",\"pad\":\"";
    String tail = "\"}";
    return (head + "x".repeat(size - head.length() - tail.length()) + tail)
        .getBytes(StandardCharsets.UTF_8);
  }
}
