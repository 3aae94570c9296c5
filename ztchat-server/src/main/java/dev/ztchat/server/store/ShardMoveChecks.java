package dev.ztchat.server.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What {@link ShardMove} checks before it changes anything, so that a wrong command leaves every
 * database as it was: each database to take out ({@code --from}) is reached and read without being
 * written, is a shard of this store and not its home, and is not in the new list too; the new list
 * leaves out no shard the store was last used with unless it is being taken out, and finishes
 * rather than changes a move that was cut short; and no relay node is running (a node storing by
 * the old list while envelopes move would strand what it stores).
 */
final class ShardMoveChecks {
  /** How long a database being taken out may take to answer. */
  private static final int CONNECT_SECONDS = 10;

  private ShardMoveChecks() {}

  /**
   * Reads the shard record of each database of {@code removed} on a connection of its own, writing
   * nothing: one that cannot be reached, that holds no relay store, or that {@code urls} names as
   * well, is refused.
   */
  static Map<PostgresUrl, ShardRecord> inspectRemoved(
      List<PostgresUrl> urls, List<PostgresUrl> removed) throws IOException {
    Set<String> listed =
        urls.stream().map(PostgresUrl::toString).collect(Collectors.toUnmodifiableSet());
    Map<PostgresUrl, ShardRecord> out = new LinkedHashMap<>();
    for (PostgresUrl url : removed) {
      if (listed.contains(url.toString())) {
        throw new IOException(
            url
                + " is in both --store and --from: list the databases that stay in --store and"
                + " only those taken out in --from; nothing was changed");
      }
      try (Connection c = PostgresPool.connectDirect(url, "ztchat-store-move", CONNECT_SECONDS)) {
        if (!hasShardTable(c)) {
          throw new IOException(
              url
                  + " (--from) holds no relay store (no table ztchat_shard): it is not a shard of"
                  + " this store; check the URL; nothing was changed");
        }
        out.put(url, ShardRecord.read(c));
      } catch (SQLException e) {
        throw new IOException(
            "cannot read "
                + url
                + " (--from): "
                + e.getMessage()
                + " (is the database running, and are its user and password right?); nothing"
                + " was changed",
            e);
      }
    }
    return out;
  }

  private static boolean hasShardTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('ztchat_shard') IS NOT NULL")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /**
   * Refuses a database to take out that is the home, that belongs to another store, or that is one
   * of the listed ones under another URL; and a new list that leaves out a shard the store was last
   * used with when {@code leaving} does not name it (its envelopes would be stranded).
   */
  static void checkRemoved(
      Map<PostgresOfflineQueue, ShardRecord> records,
      Map<PostgresUrl, ShardRecord> leaving,
      HashRing ring)
      throws IOException {
    var first = records.entrySet().iterator().next();
    // the home the listed databases recorded; the first of the list when none did yet
    String home =
        records.values().stream()
            .map(ShardRecord::home)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(first.getValue().name());
    Set<String> listed = new TreeSet<>();
    records.values().forEach(r -> listed.add(r.name()));
    Set<String> taken = new TreeSet<>();
    for (var e : leaving.entrySet()) {
      ShardRecord r = e.getValue();
      if (r.name().equals(home) || r.name().equals(r.home())) {
        throw new IOException(
            e.getKey()
                + " is the home database of its store: it alone keeps the registered devices,"
                + " contacts, prekeys, published certificates and presence, so it cannot be taken"
                + " out. Keep it first in --store. To put it on another server, copy the whole"
                + " database there (pg_dump, pg_restore) and give the nodes its new URL: a"
                + " database's shard name is in the database, not in its URL"
                + " (docs/DEPLOYMENT.md); nothing was changed");
      }
      if (listed.contains(r.name())) {
        throw new IOException(
            e.getKey()
                + " (--from) is a database --store lists under another URL (shard "
                + r.name()
                + "); nothing was changed");
      }
      if (!home.equals(r.home())) {
        throw new IOException(
            e.getKey()
                + " (--from) is not a shard of this store: its home is "
                + (r.home() == null ? "not recorded (no relay used it in a list)" : r.home())
                + ", this store's is shard "
                + home
                + "; check the URL; nothing was changed");
      }
      taken.add(r.name());
    }
    Set<String> stranded = new TreeSet<>();
    for (var e : records.entrySet()) {
      ShardRecord r = e.getValue();
      if (r.movingTo() != null) {
        if (!r.movingTo().equals(ring.fingerprint())) {
          throw new IOException(
              "a move to the shards "
                  + r.movingTo()
                  + " was cut short ("
                  + e.getKey().url()
                  + "): finish it first, by running store-move again with the same --store and"
                  + " --from; nothing was changed");
        }
        continue; // the move that began it checked the list; this one finishes it
      }
      if (r.ring() != null) {
        stranded.addAll(HashRing.ofFingerprint(r.ring()).shards());
      }
    }
    stranded.removeAll(listed);
    stranded.removeAll(taken);
    if (!stranded.isEmpty()) {
      throw new IOException(
          "--store leaves out shards the store was last used with ("
              + String.join(", ", stranded)
              + ") and --from does not name them: to take a database out, give its URL with"
              + " --from, so that its envelopes are moved; nothing was changed");
    }
  }

  /**
   * Refuses to move while a relay node beats in the home database's {@code relay_nodes} (within
   * {@link PostgresPresence#EXPIRY}): it would keep storing by the old list. A node stopped cleanly
   * deletes its row; a killed one stops counting {@link PostgresPresence#EXPIRY} after its last
   * beat.
   */
  static void checkNoNodeRunning(PostgresOfflineQueue home) throws IOException {
    try (Connection c = home.connection();
        PreparedStatement q =
            c.prepareStatement(
                "SELECT count(*) FROM relay_nodes WHERE heartbeat > now() - make_interval(secs =>"
                    + " ?)")) {
      q.setLong(1, PostgresPresence.EXPIRY.toSeconds());
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        int running = rs.getInt(1);
        if (running > 0) {
          throw new IOException(
              running
                  + " relay node(s) on "
                  + home.url()
                  + " beat within the last "
                  + PostgresPresence.EXPIRY.toSeconds()
                  + " s: stop every relay node first (a node that was killed counts until "
                  + PostgresPresence.EXPIRY.toSeconds()
                  + " s after its last beat); nothing was changed");
        }
      }
    } catch (SQLException e) {
      throw new IOException(
          "reading the running relay nodes in " + home.url() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Records in a drained database that it left the store: the new ring (without it) and the home,
   * so that running the same move again finds it a shard of this store, with nothing to move.
   */
  static void retire(PostgresOfflineQueue drained, HashRing ring, String home) throws IOException {
    try (Connection c = drained.connection()) {
      ShardRecord.recordRing(c, ring, home);
    } catch (SQLException e) {
      throw new IOException(
          "recording the new list in " + drained.url() + " failed: " + e.getMessage(), e);
    }
  }
}
