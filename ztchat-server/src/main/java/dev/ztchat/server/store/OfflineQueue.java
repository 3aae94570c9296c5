package dev.ztchat.server.store;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The relay's durable store of sealed envelopes not yet acknowledged by their recipients, with what
 * a relay must remember beside them: the registered devices and who has written to whom. It is the
 * seam between the relay and its database: {@link SqliteOfflineQueue} (one file in the data folder,
 * the default) and {@link PostgresOfflineQueue} (a PostgreSQL database, {@code --store URL}) keep
 * the same promises, which {@code OfflineQueueContract} checks against both (and against {@link
 * ShardedOfflineQueue}, several PostgreSQL databases, {@code --store URL,URL}):
 *
 * <ul>
 *   <li>an envelope reported {@link EnqueueOutcome#STORED} is durable (committed) and survives a
 *       restart of the relay;
 *   <li>envelopes come back per recipient (and per device) in arrival order, by ascending {@code
 *       seq};
 *   <li>an envelope is removed only by its recipient device's acknowledgement or when it expires
 *       ({@link QueueLimits#expiresAt}); another device's copy is never removed;
 *   <li>quotas are per recipient and, within that, per sender ({@link
 *       QueueLimits#senderSharePercent});
 *   <li>the envelope bytes are stored as given: the relay cannot read them.
 * </ul>
 *
 * <p>Threading: the relay calls it from its one store thread, except {@link #knownContact}, {@link
 * #noteContact} and {@link #alreadyExpired}, which any thread may call.
 */
public interface OfflineQueue extends AutoCloseable {
  /**
   * The delivery target that any connection of the recipient takes and whose first acknowledgement
   * removes (the rule before devices): for a recipient without a registered device, for connections
   * without a device certificate, and for envelopes stored before schema version 4
   * (docs/v2/devices.md section 4).
   */
  String ANY_DEVICE = "*";

  /**
   * Opens (creating and migrating as needed) the store {@code limits} names: the PostgreSQL
   * database of {@link QueueLimits#store} (several: each recipient's queue on one of them, {@link
   * ShardedOfflineQueue}), or else the SQLite store {@code relay.db} in the data folder.
   */
  static OfflineQueue open(QueueLimits limits, Clock clock) throws IOException {
    var postgres = limits.postgresShards();
    if (postgres.size() > 1) {
      return ShardedOfflineQueue.open(postgres, limits, clock);
    }
    if (postgres.size() == 1) {
      PostgresOfflineQueue queue = PostgresOfflineQueue.open(postgres.getFirst(), limits, clock);
      try { // one database may once have been one shard of several
        ShardMembership.settle(ShardMembership.read(List.of(queue)));
        return queue;
      } catch (IOException | RuntimeException e) {
        queue.close();
        throw e;
      }
    }
    return SqliteOfflineQueue.open(limits, clock);
  }

  /** A unit of work on the queue. */
  @FunctionalInterface
  interface Work {
    void run() throws IOException;
  }

  /**
   * Runs {@code work} in one transaction, committed (durably) when this returns; calls made inside
   * join it. Batching many envelopes into one commit is what makes the relay fast: one disk sync
   * per batch instead of one per message.
   */
  void transaction(Work work) throws IOException;

  /**
   * Stores one envelope, sealed now, for each recipient in a single transaction; when this returns,
   * every {@link EnqueueOutcome#STORED} copy is durable.
   */
  default Map<String, EnqueueOutcome> enqueue(
      List<String> recipients, String sender, String messageId, byte[] envelope)
      throws IOException {
    return enqueue(recipients, sender, messageId, currentMillis(), envelope, stored -> {});
  }

  /**
   * As {@link #enqueue(List, String, String, byte[])} for an envelope whose header says it was
   * sealed at {@code sealedAtMillis} (its expiry depends on it), and hands each copy it stored
   * (with its {@code seq}) to {@code stored}, so a live recipient can be served without reading it
   * back; the copy is durable only once the enclosing transaction commits. Each recipient that
   * holds the envelope afterwards has {@code sender} among its contacts ({@link #contactsOf}).
   */
  default Map<String, EnqueueOutcome> enqueue(
      List<String> recipients,
      String sender,
      String messageId,
      long sealedAtMillis,
      byte[] envelope,
      Consumer<QueuedEnvelope> stored)
      throws IOException {
    return enqueue(
        recipients, sender, messageId, sealedAtMillis, envelope, r -> List.of(ANY_DEVICE), stored);
  }

  /**
   * As {@link #enqueue(List, String, String, long, byte[], Consumer)}, each recipient's copy for
   * the devices {@code targets} gives (device ids as hex, or {@link #ANY_DEVICE}; never empty). A
   * retry of an envelope already stored keeps the targets it was stored with.
   */
  default Map<String, EnqueueOutcome> enqueue(
      List<String> recipients,
      String sender,
      String messageId,
      long sealedAtMillis,
      byte[] envelope,
      Function<String, List<String>> targets,
      Consumer<QueuedEnvelope> stored)
      throws IOException {
    return enqueue(
        recipients, sender, messageId, sealedAtMillis, envelope, targets, stored, Quotas.CHECKED);
  }

  /**
   * As {@link #enqueue(List, String, String, long, byte[], Function, Consumer)}, with the
   * recipients' quotas checked or not as {@code quotas} says.
   */
  Map<String, EnqueueOutcome> enqueue(
      List<String> recipients,
      String sender,
      String messageId,
      long sealedAtMillis,
      byte[] envelope,
      Function<String, List<String>> targets,
      Consumer<QueuedEnvelope> stored,
      Quotas quotas)
      throws IOException;

  /** Whether an enqueue may refuse a copy for its recipient's quotas (docs/PROTOCOL.md §9). */
  enum Quotas {
    /** The recipient's quota, and the sender's share of it, are checked: every usual enqueue. */
    CHECKED,
    /**
     * Not checked: the copy is one the relay already pushed from memory to the recipient's live
     * connection, which holds it unacknowledged. Refusing it would tell its sender "full" for a
     * message that arrived, and the sender's retry would arrive twice. What it adds beyond the
     * quota is bounded by the connection's window of unacknowledged envelopes.
     */
    WAIVED_FOR_A_PUSHED_COPY;

    boolean checked() {
      return this == CHECKED;
    }
  }

  /**
   * Up to {@code limit} unexpired envelopes for {@code recipient} after {@code afterSeq}, oldest
   * first.
   */
  default List<QueuedEnvelope> after(String recipient, long afterSeq, int limit)
      throws IOException {
    return after(recipient, ANY_DEVICE, afterSeq, limit);
  }

  /**
   * Up to {@code limit} unexpired envelopes for {@code recipient}'s device {@code device} (hex
   * device id, or {@link #ANY_DEVICE} for a connection without a device certificate) after {@code
   * afterSeq}, oldest first: those that target the device or any device and that the device has not
   * acknowledged.
   */
  List<QueuedEnvelope> after(String recipient, String device, long afterSeq, int limit)
      throws IOException;

  /** Removes an acknowledged envelope for every device; returns whether it was there. */
  boolean remove(String recipient, String sender, String messageId) throws IOException;

  /**
   * {@code recipient}'s device {@code device} (or {@link #ANY_DEVICE}) acknowledged an envelope:
   * removes that device's target (and the any-device target, whose first acknowledgement takes it),
   * and the envelope itself once no target is left. Another device's copy is never removed. Returns
   * whether the device had the envelope.
   */
  boolean remove(String recipient, String device, String sender, String messageId)
      throws IOException;

  /**
   * {@code recipient}'s device {@code device} (or {@link #ANY_DEVICE}) acknowledged every envelope
   * of {@code acknowledged} at once (an {@code acks} frame, docs/PROTOCOL.md section 9): as many
   * calls of {@link #remove(String, String, String, String)}, in a fixed number of statements
   * whatever their number. Names the device never had (unknown, acknowledged already, another
   * device's copy, another recipient's) change nothing. Returns how many the device had.
   */
  int removeAll(String recipient, String device, List<EnvelopeId> acknowledged) throws IOException;

  /**
   * Records that {@code owner}'s device {@code device} (hex device id) connected with its device
   * certificate: from now on envelopes for {@code owner} target it while its certificate is
   * current.
   */
  default void registerDevice(String owner, String device) throws IOException {
    registerDevice(owner, device, false);
  }

  /**
   * As {@link #registerDevice(String, String)}; {@code named} when its certificate names the device
   * (an OU, {@code pki issue NAME --device DEVICE}).
   */
  void registerDevice(String owner, String device, boolean named) throws IOException;

  /** Every registered device, by owner. */
  Map<String, Set<String>> registeredDevices() throws IOException;

  /** The owners with at least one registered named device. */
  Set<String> ownersWithNamedDevices() throws IOException;

  /** {@code owner}'s registered devices, and whether one of them is named. */
  default OwnerDevices registeredDevicesOf(String owner) throws IOException {
    return new OwnerDevices(
        registeredDevices().getOrDefault(owner, Set.of()),
        ownersWithNamedDevices().contains(owner));
  }

  /**
   * The devices registered since {@code cursor} ({@link AddedSince#START}: all of them), and the
   * cursor to read from next. By default all of them each time, each flagged named when its owner
   * has a named device.
   */
  default AddedSince<OwnerDevice> devicesAddedSince(long cursor) throws IOException {
    Set<String> named = ownersWithNamedDevices();
    List<OwnerDevice> out = new ArrayList<>();
    registeredDevices()
        .forEach(
            (owner, devices) ->
                devices.forEach(d -> out.add(new OwnerDevice(owner, d, named.contains(owner)))));
    return new AddedSince<>(out, AddedSince.START);
  }

  /** A registered device: its owner, its hex id, and whether its certificate names it. */
  record OwnerDevice(String owner, String device, boolean named) {}

  /** One owner's registered devices (hex device ids), and whether one of them is named. */
  record OwnerDevices(Set<String> devices, boolean named) {
    public OwnerDevices {
      devices = Set.copyOf(devices);
    }
  }

  /**
   * How many devices have still to acknowledge the envelope ({@code recipient}, {@code sender},
   * {@code messageId}); 0 when it is not stored.
   */
  int targetsLeft(String recipient, String sender, String messageId) throws IOException;

  /** Deletes every envelope whose TTL has passed; returns how many. */
  default int purgeExpired() throws IOException {
    int total = 0;
    while (true) {
      int n = purgeExpired(PURGE_CHUNK);
      total += n;
      if (n < PURGE_CHUNK) {
        return total;
      }
    }
  }

  /** Most envelopes {@link #purgeExpired()} deletes in one transaction. */
  int PURGE_CHUNK = 1000;

  /**
   * Deletes at most {@code atMost} envelopes whose TTL has passed, the longest expired first, in
   * one short transaction; returns how many (fewer than {@code atMost}: none are left).
   */
  int purgeExpired(int atMost) throws IOException;

  /**
   * Records that {@code contact} sent {@code owner} a message the relay did not need to store (its
   * recipient acknowledged it from memory first).
   */
  void recordContact(String owner, String contact) throws IOException;

  /**
   * Any thread, from memory: {@code contact} sent {@code owner} a message that {@code owner} took
   * from memory; {@link #knownContact} answers true at once, and {@link #recordContact} writes it
   * with the store's next batch.
   */
  void noteContact(String owner, String contact);

  /** The users who have sent {@code owner} a message through this relay. */
  Set<String> contactsOf(String owner) throws IOException;

  /**
   * Any thread, from memory only: true if {@code contact} is known to have sent {@code owner} a
   * message. May answer false for a true pair whose owner was not read yet ({@link #contactsOf}).
   */
  boolean knownContact(String owner, String contact);

  /**
   * Any thread: true if an envelope sealed at {@code sealedAtMillis} would expire before it is
   * stored.
   */
  boolean alreadyExpired(long sealedAtMillis);

  /** What the queue holds now, in all (expired envelopes not counted). */
  QueueStats.Totals totals() throws IOException;

  /** How many envelopes wait for {@code recipient} (expired ones not counted). */
  int pending(String recipient) throws IOException;

  /**
   * Starts telling {@code listener} about envelopes other relay nodes commit to this store, so that
   * this node pushes them to its connected recipients at once. A store only one relay can use (the
   * SQLite file) has nothing to tell. At most once per queue; {@link #close} stops it.
   */
  default void listenForOtherNodes(RemoteCommitListener listener) {}

  /**
   * Starts telling {@code listener} whose devices other relay nodes registered in this store
   * ({@link RemoteCommitListener#committedFor} names the owner), so that this node delivers to them
   * without a restart. Nothing for a store only one relay uses. At most once; {@link #close} stops
   * it.
   */
  default void listenForDevicesOfOtherNodes(RemoteCommitListener listener) {}

  /**
   * Starts telling {@code listener} when the store stops answering and when it answers again. A
   * store in the relay's own folder (SQLite) has nothing to tell. At most once; {@link #close}
   * stops it.
   */
  default void watchReachability(StoreReachability listener) {}

  /**
   * Another relay node committed for {@code recipient} (an envelope, and with it perhaps a new
   * contact): what this queue keeps in memory of {@code recipient} is read again on its next use.
   * Null for everyone (notices may have been missed). Nothing to do for a store only one relay
   * uses. Store thread only.
   */
  default void otherNodeWroteFor(String recipient) {}

  /** The queue's idea of now, in epoch milliseconds (its injected clock). */
  long currentMillis();

  @Override
  void close();
}
