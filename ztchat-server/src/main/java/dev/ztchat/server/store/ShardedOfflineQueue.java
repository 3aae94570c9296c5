package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The relay's {@link OfflineQueue} on several PostgreSQL databases ({@code --store URL,URL,...}):
 * each recipient's queue lives on exactly one of them, the one {@link HashRing} assigns to the
 * recipient, so write capacity grows with databases. The first database is the home of everything
 * else a node shares: the registered devices and who has written to whom here (a sender's contacts
 * are read when it sends, so they must not depend on the sender's shard; they are written only for
 * a new pair), prekeys, published certificates and presence through their own stores. Each database
 * is a {@link PostgresOfflineQueue}, so every promise of the contract holds per recipient exactly
 * as on one database: per-recipient order (one recipient's envelopes are all on one database and
 * take their {@code seq} from its sequence under its recipient lock), ack-before-delete, quotas,
 * TTL.
 *
 * <p>A {@link #transaction} opens a transaction on a database only when the work first touches it,
 * and commits them one after another. A database that does not answer fails only the work that
 * touches it: the relay's store thread then applies each change of a failed batch alone, so the
 * other databases' recipients are served. The commits of one batch are not atomic across databases;
 * a batch whose second commit fails after the first succeeded is tried again change by change, and
 * each change is idempotent (an envelope stored twice is answered as already stored).
 *
 * <p>Thread-safe as {@link PostgresOfflineQueue} is.
 */
public final class ShardedOfflineQueue implements OfflineQueue {
  private final List<PostgresOfflineQueue> shards;
  private final PostgresOfflineQueue home;
  private final Map<String, PostgresOfflineQueue> byName;
  private final HashRing ring;

  /**
   * The databases their probe found not answering ({@link #watchReachability}): work on them fails
   * at once until they answer again.
   */
  private final Set<PostgresOfflineQueue> down = ConcurrentHashMap.newKeySet();

  /** The databases a transaction open on this thread has begun on, in the order it touched them. */
  @SuppressWarnings("ThreadLocalUsage")
  private final ThreadLocal<List<PostgresOfflineQueue>> open = new ThreadLocal<>();

  private ShardedOfflineQueue(
      List<PostgresOfflineQueue> shards, Map<String, PostgresOfflineQueue> byName, HashRing ring) {
    this.shards = List.copyOf(shards);
    this.home = shards.getFirst();
    this.byName = Map.copyOf(byName);
    this.ring = ring;
  }

  /**
   * Opens every database of {@code urls} (the first is the home), creating or migrating each, and
   * refuses a list that would strand queued envelopes ({@link ShardMembership}).
   */
  public static ShardedOfflineQueue open(List<PostgresUrl> urls, QueueLimits limits, Clock clock)
      throws IOException {
    List<PostgresOfflineQueue> shards = openEach(urls, limits, clock);
    try {
      Map<PostgresOfflineQueue, ShardRecord> records = ShardMembership.read(shards);
      HashRing ring = ShardMembership.settle(records);
      Map<String, PostgresOfflineQueue> byName = new HashMap<>();
      records.forEach((shard, record) -> byName.put(record.name(), shard));
      return new ShardedOfflineQueue(shards, byName, ring);
    } catch (IOException | RuntimeException e) {
      shards.forEach(PostgresOfflineQueue::close);
      throw e;
    }
  }

  /** Opens each database of {@code urls}; on a failure, closes those already open. */
  static List<PostgresOfflineQueue> openEach(
      List<PostgresUrl> urls, QueueLimits limits, Clock clock) throws IOException {
    List<PostgresOfflineQueue> out = new ArrayList<>();
    try {
      for (PostgresUrl url : urls) {
        out.add(PostgresOfflineQueue.open(url, limits, clock, false));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      out.forEach(PostgresOfflineQueue::close);
      throw e;
    }
  }

  /** The database that holds {@code recipient}'s queue, joined to the open transaction if any. */
  private PostgresOfflineQueue shardOf(String recipient) throws IOException {
    return join(byName.get(ring.ownerOf(recipient)));
  }

  /** The database of {@code recipient}'s queue, for what is answered from memory. */
  private PostgresOfflineQueue memoryOf(String recipient) {
    return byName.get(ring.ownerOf(recipient));
  }

  private PostgresOfflineQueue join(PostgresOfflineQueue shard) throws IOException {
    if (down.contains(shard)) {
      // fail at once rather than wait out pool_timeout on the store thread, which serves everyone
      throw new IOException("the store's database " + shard.url() + " does not answer");
    }
    List<PostgresOfflineQueue> begun = open.get();
    if (begun != null && !begun.contains(shard)) {
      shard.begin();
      begun.add(shard);
    }
    return shard;
  }

  /** Where {@code recipient}'s queue lives: the database's password-less URL. */
  public String shardDescription(String recipient) {
    return memoryOf(recipient).url().toString();
  }

  @Override
  public void transaction(Work work) throws IOException {
    if (open.get() != null) {
      work.run();
      return;
    }
    List<PostgresOfflineQueue> begun = new ArrayList<>();
    open.set(begun);
    int committed = 0;
    try {
      work.run();
      for (PostgresOfflineQueue shard : begun) {
        shard.commit();
        committed++;
      }
    } finally {
      open.remove();
      for (PostgresOfflineQueue shard : begun.subList(committed, begun.size())) {
        shard.rollback();
      }
    }
  }

  @Override
  public Map<String, EnqueueOutcome> enqueue(
      List<String> recipients,
      String sender,
      String messageId,
      long sealedAtMillis,
      byte[] envelope,
      Function<String, List<String>> targets,
      Consumer<QueuedEnvelope> stored,
      Quotas quotas)
      throws IOException {
    Map<PostgresOfflineQueue, List<String>> byShard = new LinkedHashMap<>();
    for (String r : recipients) {
      byShard.computeIfAbsent(memoryOf(r), s -> new ArrayList<>()).add(r);
    }
    Map<String, EnqueueOutcome> outcomes = new HashMap<>();
    transaction(
        () -> {
          for (var e : byShard.entrySet()) {
            outcomes.putAll(
                join(e.getKey())
                    .enqueue(
                        e.getValue(),
                        sender,
                        messageId,
                        sealedAtMillis,
                        envelope,
                        targets,
                        stored,
                        quotas));
          }
          for (var e : outcomes.entrySet()) {
            if (e.getValue().held()) {
              join(home).recordContact(e.getKey(), sender);
            }
          }
        });
    Map<String, EnqueueOutcome> out = new LinkedHashMap<>();
    recipients.forEach(r -> out.put(r, outcomes.get(r)));
    return out;
  }

  @Override
  public List<QueuedEnvelope> after(String recipient, String device, long afterSeq, int limit)
      throws IOException {
    return shardOf(recipient).after(recipient, device, afterSeq, limit);
  }

  @Override
  public boolean remove(String recipient, String sender, String messageId) throws IOException {
    return shardOf(recipient).remove(recipient, sender, messageId);
  }

  @Override
  public boolean remove(String recipient, String device, String sender, String messageId)
      throws IOException {
    return shardOf(recipient).remove(recipient, device, sender, messageId);
  }

  /** One recipient's acknowledgements: all on the shard that holds its queue. */
  @Override
  public int removeAll(String recipient, String device, List<EnvelopeId> acknowledged)
      throws IOException {
    return shardOf(recipient).removeAll(recipient, device, acknowledged);
  }

  @Override
  public void registerDevice(String owner, String device, boolean named) throws IOException {
    join(home).registerDevice(owner, device, named);
  }

  @Override
  public Map<String, Set<String>> registeredDevices() throws IOException {
    return join(home).registeredDevices();
  }

  @Override
  public Set<String> ownersWithNamedDevices() throws IOException {
    return join(home).ownersWithNamedDevices();
  }

  @Override
  public OwnerDevices registeredDevicesOf(String owner) throws IOException {
    return join(home).registeredDevicesOf(owner);
  }

  @Override
  public AddedSince<OwnerDevice> devicesAddedSince(long cursor) throws IOException {
    return home.devicesAddedSince(cursor);
  }

  @Override
  public int targetsLeft(String recipient, String sender, String messageId) throws IOException {
    return shardOf(recipient).targetsLeft(recipient, sender, messageId);
  }

  /**
   * Purges each database in turn, up to {@code atMost} in all; a database that does not answer is
   * skipped (its error is thrown once the others are purged), so it holds up no other's purge.
   */
  @Override
  public int purgeExpired(int atMost) throws IOException {
    int total = 0;
    IOException failure = null;
    for (PostgresOfflineQueue shard : shards) {
      if (total >= atMost) {
        return total;
      }
      try {
        total += join(shard).purgeExpired(atMost - total);
      } catch (IOException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null && total < atMost) {
      throw failure;
    }
    return total;
  }

  @Override
  public void recordContact(String owner, String contact) throws IOException {
    join(home).recordContact(owner, contact);
  }

  @Override
  public void noteContact(String owner, String contact) {
    home.noteContact(owner, contact);
  }

  @Override
  public Set<String> contactsOf(String owner) throws IOException {
    return join(home).contactsOf(owner);
  }

  @Override
  public boolean knownContact(String owner, String contact) {
    return home.knownContact(owner, contact);
  }

  @Override
  public boolean alreadyExpired(long sealedAtMillis) {
    return home.alreadyExpired(sealedAtMillis);
  }

  /** The sum over every database: one that does not answer fails it (readiness sees it). */
  @Override
  public QueueStats.Totals totals() throws IOException {
    long messages = 0;
    long bytes = 0;
    long recipients = 0;
    long oldest = 0;
    for (PostgresOfflineQueue shard : shards) {
      QueueStats.Totals t = join(shard).totals();
      messages += t.messages();
      bytes += t.bytes();
      recipients += t.recipients();
      oldest = QueueStats.oldestOf(oldest, t.oldestEnqueuedAtMillis());
    }
    return new QueueStats.Totals(messages, bytes, recipients, oldest);
  }

  @Override
  public int pending(String recipient) throws IOException {
    return shardOf(recipient).pending(recipient);
  }

  @Override
  public void listenForOtherNodes(RemoteCommitListener listener) {
    requireNonNull(listener, "listener");
    shards.forEach(s -> s.listenForOtherNodes(listener));
  }

  @Override
  public void listenForDevicesOfOtherNodes(RemoteCommitListener listener) {
    home.listenForDevicesOfOtherNodes(listener);
  }

  /**
   * The home database's reachability is the node's ({@link StoreReachability#lost}); another
   * database's is told as {@link StoreReachability#shardLost}, since only its recipients are
   * refused. While a database does not answer, work on it fails at once.
   */
  @Override
  public void watchReachability(StoreReachability listener) {
    requireNonNull(listener, "listener");
    for (PostgresOfflineQueue shard : shards) {
      String name = shard.url().toString();
      boolean isHome = shard == home;
      shard.watchReachability(
          new StoreReachability() {
            @Override
            public void lost(String reason) {
              down.add(shard);
              if (isHome) {
                listener.lost(reason);
              } else {
                listener.shardLost(name, reason);
              }
            }

            @Override
            public void regained() {
              down.remove(shard);
              if (isHome) {
                listener.regained();
              } else {
                listener.shardRegained(name);
              }
            }
          });
    }
  }

  @Override
  public void otherNodeWroteFor(String recipient) {
    home.otherNodeWroteFor(recipient); // the contacts, all the memory there is
  }

  @Override
  public long currentMillis() {
    return home.currentMillis();
  }

  @Override
  public void close() {
    shards.forEach(PostgresOfflineQueue::close);
  }
}
