package dev.ztchat.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The envelopes one sender's connection accepted during one read that are to be pushed from memory
 * ({@link LiveEnvelope}), gathered per recipient's pump and handed to each pump's event loop in one
 * task when the read is complete: a read of a hundred sends to one recipient costs one hand-over
 * between event loops, not a hundred. Until it is handed over, an envelope is simply offered and
 * not yet pushed; should it never be (the connection closed), the store writes it when its grace
 * period is over, as for any envelope the recipient's connection declined. Used on the sender's
 * event loop only.
 */
final class LiveOffers {
  private static final AttributeKey<LiveOffers> KEY = AttributeKey.valueOf("ztchat.liveOffers");

  private final Map<DeliveryPump, List<LiveEnvelope>> byPump = new LinkedHashMap<>();

  private LiveOffers() {}

  /** Keeps {@code envelope}, accepted on {@code from}, for {@code pump}; on the read's end. */
  static void add(Channel from, DeliveryPump pump, LiveEnvelope envelope) {
    LiveOffers offers = from.attr(KEY).get();
    if (offers == null) {
      offers = new LiveOffers();
      from.attr(KEY).set(offers);
    }
    offers.byPump.computeIfAbsent(pump, p -> new ArrayList<>(8)).add(envelope);
  }

  /** Hands what {@code from} gathered to the pumps' event loops, one task per pump, in order. */
  static void handOver(Channel from) {
    LiveOffers offers = from.attr(KEY).get();
    if (offers == null || offers.byPump.isEmpty()) {
      return;
    }
    offers.byPump.forEach(
        (pump, envelopes) ->
            pump.channel()
                .eventLoop()
                .execute(
                    () -> {
                      for (LiveEnvelope e : envelopes) {
                        pump.offerLive(e);
                      }
                    }));
    offers.byPump.clear();
  }
}
