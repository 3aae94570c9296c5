package dev.ztchat.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Acknowledgements the relay asked for. Every envelope pushed to a connection earns it one credit,
 * and an {@code ack} that spends a credit does not count against the identity's frame budget
 * (docs/PROTOCOL.md section 4.3): a user draining a backlog of thousands acknowledges as fast as it
 * processes, never throttled. An {@code ack} without a credit is charged like any other frame, so
 * acks nobody asked for cannot be used to get around the budget. Used on the channel's event loop
 * only (the pump pushes there and the rate limiter reads there).
 */
final class AckCredits {
  private static final AttributeKey<int[]> KEY = AttributeKey.valueOf("ztchat.ackCredits");

  private AckCredits() {}

  /** One more envelope pushed to {@code channel}. */
  static void grant(Channel channel) {
    channel.attr(KEY).setIfAbsent(new int[1]);
    channel.attr(KEY).get()[0]++;
  }

  /** Spends one credit of {@code channel}; false when it has none. */
  static boolean spend(Channel channel) {
    int[] credits = channel.attr(KEY).get();
    if (credits == null || credits[0] == 0) {
      return false;
    }
    credits[0]--;
    return true;
  }

  /** Whether {@code channel} has a credit to spend (without spending it). */
  static boolean any(Channel channel) {
    int[] credits = channel.attr(KEY).get();
    return credits != null && credits[0] > 0;
  }
}
