package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.server.store.AddedSince;
import dev.ztchat.server.store.OfflineQueue;
import dev.ztchat.server.store.RemoteCommitListener;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teaches this node the devices registered through the other relay nodes sharing its store, so that
 * a device that first connected to node 2 gets its own copies through node 1 (and node 1's
 * stale-device check counts it) without a restart. A notice makes it read the owner named; the
 * periodic re-read takes only the devices added since the previous one ({@link AddedSince}).
 * Devices are only ever added: a device leaves the delivery set when its certificate stops being
 * current, which every node checks itself.
 *
 * <p>The maps are {@link DeliveryService}'s; reads of the store run on its store thread.
 */
final class CrossNodeDevices implements RemoteCommitListener {
  private static final Logger LOG = LoggerFactory.getLogger(CrossNodeDevices.class);

  private final Executor storeThread;
  private final OfflineQueue queue;
  private final Map<String, Set<String>> registered;
  private final Set<String> perDevice;

  /**
   * Where the next periodic read of the devices starts; store thread only. From the start, as the
   * devices read when the node started may have missed one committed meanwhile.
   */
  private long cursor = AddedSince.START;

  /**
   * {@code registered} (owner to hex device ids) and {@code perDevice} (owners with a named device)
   * are added to.
   */
  CrossNodeDevices(
      Executor storeThread,
      OfflineQueue queue,
      Map<String, Set<String>> registered,
      Set<String> perDevice) {
    this.storeThread = requireNonNull(storeThread, "storeThread");
    this.queue = requireNonNull(queue, "queue");
    this.registered = requireNonNull(registered, "registered");
    this.perDevice = requireNonNull(perDevice, "perDevice");
  }

  @Override
  public void committedFor(String owner) {
    storeThread.execute(
        () -> {
          try {
            OfflineQueue.OwnerDevices found = queue.registeredDevicesOf(owner);
            learn(owner, found.devices());
            if (found.named()) {
              perDevice.add(owner);
            }
          } catch (IOException e) {
            LOG.warn("reading the devices of {} from the store failed: {}", owner, e.getMessage());
          }
        });
  }

  @Override
  public void mayHaveMissed() {
    storeThread.execute(
        () -> {
          try {
            AddedSince<OfflineQueue.OwnerDevice> added = queue.devicesAddedSince(cursor);
            for (OfflineQueue.OwnerDevice d : added.rows()) {
              learn(d.owner(), Set.of(d.device()));
              if (d.named()) {
                perDevice.add(d.owner());
              }
            }
            cursor = added.cursor();
          } catch (IOException e) {
            LOG.warn("reading the registered devices from the store failed: {}", e.getMessage());
          }
        });
  }

  private void learn(String owner, Set<String> devices) {
    if (!devices.isEmpty()) {
      registered.computeIfAbsent(owner, k -> ConcurrentHashMap.newKeySet()).addAll(devices);
    }
  }
}
