package dev.ztchat.server;

import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.Frame;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * What a connection's client said it understands beyond version 1 of the protocol ({@code
 * features}, docs/v2/envelope.md section 5). Until it says so, the relay speaks version 1 to it:
 * JSON frames only, and a live window of {@link DeliveryPump#WINDOW} envelopes.
 */
final class ConnectionFeatures {
  private static final AttributeKey<Boolean> BINARY = AttributeKey.valueOf("ztchat.binaryFrames");
  private static final AttributeKey<Integer> WINDOW = AttributeKey.valueOf("ztchat.liveWindow");

  private ConnectionFeatures() {}

  static void binaryFrames(Channel channel, boolean on) {
    channel.attr(BINARY).set(on);
  }

  /**
   * The connection announced it can hold {@code requested} pushed envelopes unacknowledged: kept
   * for its delivery pump (which may not exist yet), bounded as {@link DeliveryPump#bounded} says.
   */
  static void window(Channel channel, int requested) {
    channel.attr(WINDOW).set(DeliveryPump.bounded(requested));
  }

  /** The live window granted to this connection: {@link DeliveryPump#WINDOW} until it announces. */
  static int window(Channel channel) {
    Integer w = channel.attr(WINDOW).get();
    return w == null ? DeliveryPump.WINDOW : w;
  }

  /** Whether envelopes may be pushed to this connection in binary frames. */
  static boolean readsBinaryFrames(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(BINARY).get());
  }

  /**
   * The frame that pushes {@code envelope} to {@code channel}: binary for an envelope of a later
   * version than 1 when the client reads binary frames, JSON otherwise (version 1 travels as it
   * always did).
   */
  static Frame.Deliver deliver(Channel channel, byte[] envelope) {
    boolean binary =
        envelope.length > 0 && envelope[0] != EnvelopeHeader.VERSION && readsBinaryFrames(channel);
    return new Frame.Deliver(envelope, binary);
  }
}
