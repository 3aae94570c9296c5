package dev.ztchat.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Acknowledgements the relay asked for. Every envelope pushed to a connection earns it one credit,
 * and an {@code ack} that spends a credit does not count against the identity's frame budget
 * (docs/PROTOCOL.md section 4.3): a user draining a backlog of thousands acknowledges as fast as it
 * processes, never throttled. An {@code ack} without a credit is charged like any other frame, so
 * acks nobody asked for cannot be used to get around the budget; an {@code acks} of {@code n}
 * envelopes spends {@code n} credits, or is charged as one frame when the connection has fewer.
 * Used on the channel's event loop only (the pump pushes there and the rate limiter reads there).
 */
final class AckCredits {
  private static final AttributeKey<int[]> KEY = AttributeKey.valueOf("ztchat.ackCredits");

  private AckCredits() {}

  /** One more envelope pushed to {@code channel}. */
  static void grant(Channel channel) {
    channel.attr(KEY).setIfAbsent(new int[1]);
    channel.attr(KEY).get()[0]++;
  }

  /**
   * Spends {@code n} credits of {@code channel} for one frame that acknowledges {@code n}
   * envelopes; false, spending none, when it has fewer (or {@code n} is not positive): then the
   * frame is charged like any other.
   */
  static boolean spend(Channel channel, int n) {
    int[] credits = channel.attr(KEY).get();
    if (n < 1 || credits == null || credits[0] < n) {
      return false;
    }
    credits[0] -= n;
    return true;
  }

  /** Whether {@code channel} has a credit to spend (without spending it). */
  static boolean any(Channel channel) {
    int[] credits = channel.attr(KEY).get();
    return credits != null && credits[0] > 0;
  }
}
