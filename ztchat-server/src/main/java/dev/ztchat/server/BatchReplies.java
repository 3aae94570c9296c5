package dev.ztchat.server;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.server.store.QueuedEnvelope;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one committed batch of the store has to tell connections (answers, new envelopes for pumps,
 * acknowledgements seen on another connection), gathered and then handed to each channel's event
 * loop in one task, so a batch of a thousand acknowledgements costs one flush per connection rather
 * than one each. Used on the store thread only.
 */
final class BatchReplies {
  private final Map<Channel, List<Frame>> frames = new LinkedHashMap<>();
  private final Map<DeliveryPump, List<QueuedEnvelope>> offers = new LinkedHashMap<>();
  private final Map<DeliveryPump, List<String>> acks = new LinkedHashMap<>();
  private final Map<DeliveryPump, List<Long>> settles = new LinkedHashMap<>();
  private final AcceptanceOrder order;

  BatchReplies(AcceptanceOrder order) {
    this.order = order;
  }

  void send(Channel channel, Frame frame) {
    frames.computeIfAbsent(channel, c -> new ArrayList<>()).add(frame);
  }

  void offer(DeliveryPump pump, QueuedEnvelope committed) {
    offers.computeIfAbsent(pump, p -> new ArrayList<>()).add(committed);
  }

  /**
   * The envelope with {@code ticket} is settled for {@code pump}'s identity once the pump has taken
   * this batch's hand-over (so nothing accepted later is pushed from memory before it).
   */
  void settle(DeliveryPump pump, long ticket) {
    settles.computeIfAbsent(pump, p -> new ArrayList<>()).add(ticket);
  }

  void acked(DeliveryPump pump, String key) {
    acks.computeIfAbsent(pump, p -> new ArrayList<>()).add(key);
  }

  /** Hands everything gathered to the event loops, in the order it was gathered per channel. */
  void deliver() {
    frames.forEach(
        (ch, list) ->
            ch.eventLoop()
                .execute(
                    () -> {
                      for (Frame f : list) {
                        ch.write(f);
                      }
                      ch.flush();
                    }));
    offers.forEach(
        (pump, list) -> {
          List<Long> tickets = settles.remove(pump);
          pump.channel()
              .eventLoop()
              .execute(
                  () -> {
                    pump.offer(list);
                    settleAll(pump, tickets);
                  });
        });
    settles.forEach(
        (pump, tickets) -> pump.channel().eventLoop().execute(() -> settleAll(pump, tickets)));
    acks.forEach(
        (pump, list) -> pump.channel().eventLoop().execute(() -> list.forEach(pump::acked)));
  }

  private void settleAll(DeliveryPump pump, List<Long> tickets) {
    if (tickets != null) {
      tickets.forEach(t -> order.settle(pump.identity(), t));
      pump.orderAdvanced();
    }
  }
}
