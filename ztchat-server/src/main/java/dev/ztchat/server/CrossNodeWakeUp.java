package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.server.store.OfflineQueue;
import dev.ztchat.server.store.RemoteCommitListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Wakes this node's delivery pumps when another relay node, sharing the store, committed envelopes
 * for their identity: each pump then reads its queue from the store as it would any page, so order
 * and exactly-once hold as for envelopes stored here. The notice carries no envelope; what it names
 * is only which pumps look again.
 *
 * <p>The pumps are {@link DeliveryService}'s, read on its store thread only; each wake runs on the
 * pump's event loop. Before the pumps look, the queue forgets what it keeps in memory of the
 * recipient (its contacts: the other node may have recorded one, which decides presence).
 */
final class CrossNodeWakeUp implements RemoteCommitListener {
  private final Executor storeThread;
  private final OfflineQueue queue;
  private final Map<String, List<DeliveryPump>> pumps;

  /** {@code pumps} and {@code queue} are used on {@code storeThread} only, as their owner does. */
  CrossNodeWakeUp(Executor storeThread, OfflineQueue queue, Map<String, List<DeliveryPump>> pumps) {
    this.storeThread = requireNonNull(storeThread, "storeThread");
    this.queue = requireNonNull(queue, "queue");
    this.pumps = requireNonNull(pumps, "pumps");
  }

  @Override
  public void committedFor(String recipient) {
    storeThread.execute(
        () -> {
          queue.otherNodeWroteFor(recipient); // e.g. a new contact, before the pumps look
          wake(pumps.getOrDefault(recipient, List.of()));
        });
  }

  @Override
  public void mayHaveMissed() {
    storeThread.execute(
        () -> {
          queue.otherNodeWroteFor(null);
          pumps.values().forEach(CrossNodeWakeUp::wake);
        });
  }

  private static void wake(List<DeliveryPump> connections) {
    for (DeliveryPump p : connections) {
      p.channel().eventLoop().execute(p::wake);
    }
  }
}
