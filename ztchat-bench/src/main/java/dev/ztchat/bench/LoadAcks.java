package dev.ztchat.bench;

import dev.ztchat.core.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayList;
import java.util.List;

/**
 * How a load client's receiver acknowledges what the relay delivers: the envelopes of one read in
 * one {@code acks} frame when the relay takes batches ({@code maxAcks} in its welcome, at most that
 * many per frame), one {@code ack} each otherwise, as the reference client does. One per
 * connection, used on its event loop only.
 */
final class LoadAcks {
  /**
   * {@code -Dztchat.bench.singleAcks=true}: one {@code ack} per envelope even to a relay that takes
   * batches, to compare the two on the same relay.
   */
  private static final boolean SINGLE_ACKS = Boolean.getBoolean("ztchat.bench.singleAcks");

  private final List<Frame.AckedEnvelope> unacknowledged = new ArrayList<>();
  private int maxAcks;

  /** Reads whether, and how many per frame, the relay takes batched acknowledgements. */
  void welcome(Frame.Welcome w) {
    maxAcks = SINGLE_ACKS ? 0 : w.maxAcks();
  }

  /** Acknowledges one delivered envelope: written now, or kept for the read's batch. */
  void acknowledge(ChannelHandlerContext ctx, String sender, String messageIdHex) {
    if (maxAcks <= 0) {
      ctx.write(new Frame.Ack(null, sender, messageIdHex), ctx.voidPromise());
      return;
    }
    unacknowledged.add(new Frame.AckedEnvelope(sender, messageIdHex));
    if (unacknowledged.size() >= maxAcks) {
      writeBatch(ctx);
    }
  }

  /** At the end of a read: writes the batch kept so far and flushes. */
  void readComplete(ChannelHandlerContext ctx) {
    writeBatch(ctx);
    ctx.flush();
  }

  private void writeBatch(ChannelHandlerContext ctx) {
    if (!unacknowledged.isEmpty()) {
      ctx.write(new Frame.Acks(null, List.copyOf(unacknowledged)), ctx.voidPromise());
      unacknowledged.clear();
    }
  }
}
