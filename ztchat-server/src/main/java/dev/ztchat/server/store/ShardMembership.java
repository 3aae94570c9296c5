package dev.ztchat.server.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Decides, when the relay opens its PostgreSQL databases, which ring they form, and refuses a
 * {@code --store} list that would strand queued envelopes: one that leaves out a database the store
 * was last used with, or that gives a recipient who has envelopes waiting a shard other than the
 * one holding them. Such a change is made by {@link ShardMove} first (docs/DEPLOYMENT.md, adding or
 * removing a shard). Once the list is accepted, each database records the ring, so the next start
 * compares against it.
 *
 * <p>A database without a recorded ring that holds envelopes was a store of its own (one {@code
 * --store} URL, before shards): it counts as a ring of itself alone. An empty one is new.
 */
final class ShardMembership {
  private ShardMembership() {}

  /**
   * The ring the databases of {@code records} ({@link #read}) form; each database records it.
   *
   * @throws IOException when the list would strand queued envelopes, saying what to do
   */
  static HashRing settle(Map<PostgresOfflineQueue, ShardRecord> records) throws IOException {
    HashRing ring = ringOf(records);
    checkHome(records);
    for (var e : records.entrySet()) {
      if (e.getValue().movingTo() != null) {
        throw new IOException(
            "a move of the queued envelopes (ztchat server store-move) to the shards "
                + e.getValue().movingTo()
                + " was cut short, so "
                + e.getKey().url()
                + " may hold half-moved queues: run the same store-move again to finish it, then"
                + " start the relays with its --store (docs/DEPLOYMENT.md)");
      }
    }
    List<String> problems = new ArrayList<>();
    for (var e : records.entrySet()) {
      problems.addAll(strandedBy(e.getKey(), e.getValue(), ring));
    }
    if (!problems.isEmpty()) {
      throw new IOException(
          "--store lists its databases so that queued envelopes would be stranded: "
              + String.join("; ", problems)
              + ". Move them first: ztchat server store-move --store <the new list>, with --from"
              + " <the databases left out> when taking databases out (docs/DEPLOYMENT.md,"
              + " several databases)");
    }
    record(records, ring);
    return ring;
  }

  /** Reads each database's record, in the order given. */
  static Map<PostgresOfflineQueue, ShardRecord> read(List<PostgresOfflineQueue> shards)
      throws IOException {
    Map<PostgresOfflineQueue, ShardRecord> out = new LinkedHashMap<>();
    for (PostgresOfflineQueue shard : shards) {
      try (Connection c = shard.connection()) {
        out.put(shard, ShardRecord.read(c));
      } catch (SQLException e) {
        throw new IOException(
            "reading the shard record of " + shard.url() + " failed: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** The ring of the databases' names; the same database given twice is refused. */
  static HashRing ringOf(Map<PostgresOfflineQueue, ShardRecord> records) throws IOException {
    Map<String, PostgresOfflineQueue> byName = new HashMap<>();
    for (var e : records.entrySet()) {
      PostgresOfflineQueue twice = byName.putIfAbsent(e.getValue().name(), e.getKey());
      if (twice != null) {
        throw new IOException(
            "--store names one database twice, as "
                + twice.url()
                + " and as "
                + e.getKey().url()
                + ": each shard must be a database of its own");
      }
    }
    return new HashRing(byName.keySet());
  }

  private static List<String> strandedBy(
      PostgresOfflineQueue shard, ShardRecord record, HashRing ring) throws IOException {
    String before =
        record.ring() != null ? record.ring() : record.holdsEnvelopes() ? record.name() : null;
    if (before == null || before.equals(ring.fingerprint())) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    var missing = new TreeSet<>(HashRing.ofFingerprint(before).shards());
    missing.removeAll(ring.shards());
    if (!missing.isEmpty()) {
      out.add(
          shard.url()
              + " was last used with shards that --store leaves out ("
              + String.join(", ", missing)
              + "): their envelopes would be lost to the relay");
    }
    try (Connection c = shard.connection()) {
      long moving =
          ShardRecord.recipients(c).stream()
              .filter(r -> !ring.ownerOf(r).equals(record.name()))
              .count();
      if (moving > 0) {
        out.add(shard.url() + " holds the queues of " + moving + " recipients another shard owns");
      }
    } catch (SQLException e) {
      throw new IOException("reading the queue of " + shard.url() + " failed: " + e.getMessage());
    }
    return out;
  }

  /**
   * Refuses a list whose first database is not the home the databases recorded: the nodes would not
   * agree where the devices, prekeys and presence are.
   */
  static void checkHome(Map<PostgresOfflineQueue, ShardRecord> records) throws IOException {
    var first = records.entrySet().iterator().next();
    String home = first.getValue().name();
    for (var e : records.entrySet()) {
      String recorded = e.getValue().home();
      if (recorded != null && !recorded.equals(home)) {
        PostgresOfflineQueue recordedHome =
            records.entrySet().stream()
                .filter(r -> r.getValue().name().equals(recorded))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(null);
        throw new IOException(
            "--store lists "
                + first.getKey().url()
                + " first, but the home of the store's devices, prekeys and presence is "
                + (recordedHome != null
                    ? recordedHome.url() + ": list it first"
                    : "another database (shard " + recorded + "), which --store leaves out")
                + " (docs/DEPLOYMENT.md)");
      }
    }
  }

  /** Records {@code ring}, and the first database as its home, in each database. */
  static void record(Map<PostgresOfflineQueue, ShardRecord> records, HashRing ring)
      throws IOException {
    String home = records.values().iterator().next().name();
    for (var e : records.entrySet()) {
      if (ring.fingerprint().equals(e.getValue().ring()) && home.equals(e.getValue().home())) {
        continue;
      }
      try (Connection c = e.getKey().connection()) {
        ShardRecord.recordRing(c, ring, home);
      } catch (SQLException ex) {
        throw new IOException(
            "recording the shards in " + e.getKey().url() + " failed: " + ex.getMessage(), ex);
      }
    }
  }
}
