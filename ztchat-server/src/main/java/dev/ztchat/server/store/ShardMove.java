package dev.ztchat.server.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The explicit step that adding a database to {@code --store} needs ({@code ztchat server
 * store-move}, docs/DEPLOYMENT.md): with every relay node stopped, it moves each recipient's queued
 * envelopes (with the devices still to acknowledge each) from the database that holds them to the
 * one the new list's {@link HashRing} assigns, then records the new ring in every database, so that
 * the relays start with it ({@link ShardMembership}). Everything else stays on the home database.
 *
 * <p>Per recipient, the envelopes are first copied, in their order, into the new database and
 * committed there, then deleted from the old one: a move cut short leaves copies in both, and
 * running it again completes it (an envelope already copied is recognised by its recipient, sender
 * and message id and not copied twice). An envelope is never in neither. Its {@code seq} changes
 * (each database has its own sequence), its order among the recipient's envelopes does not.
 */
public final class ShardMove {
  /** What a move did. */
  public record Moved(int recipients, int envelopes) {}

  private ShardMove() {}

  /**
   * Moves every queue to the database the ring of {@code urls} (the new {@code --store} list, the
   * home first, as the relays will be given it) assigns, and records the ring.
   */
  public static Moved move(List<PostgresUrl> urls, QueueLimits limits, Clock clock)
      throws IOException {
    List<PostgresOfflineQueue> shards = ShardedOfflineQueue.openEach(urls, limits, clock);
    try {
      Map<PostgresOfflineQueue, ShardRecord> records = ShardMembership.read(shards);
      HashRing ring = ShardMembership.ringOf(records);
      ShardMembership.checkHome(records);
      int recipients = 0;
      int envelopes = 0;
      for (var from : records.entrySet()) {
        for (String owner : ownersOn(from.getKey())) {
          String to = ring.ownerOf(owner);
          if (to.equals(from.getValue().name())) {
            continue;
          }
          PostgresOfflineQueue target =
              records.entrySet().stream()
                  .filter(e -> e.getValue().name().equals(to))
                  .findFirst()
                  .orElseThrow()
                  .getKey();
          envelopes += moveOne(owner, from.getKey(), target);
          recipients++;
        }
      }
      ShardMembership.record(records, ring);
      return new Moved(recipients, envelopes);
    } finally {
      shards.forEach(PostgresOfflineQueue::close);
    }
  }

  /** The recipients with envelopes on {@code shard}. */
  private static List<String> ownersOn(PostgresOfflineQueue shard) throws IOException {
    try (Connection c = shard.connection()) {
      return ShardRecord.recipients(c);
    } catch (SQLException e) {
      throw new IOException("reading " + shard.url() + " failed: " + e.getMessage(), e);
    }
  }

  /** Moves {@code owner}'s envelopes; returns how many. */
  private static int moveOne(String owner, PostgresOfflineQueue from, PostgresOfflineQueue to)
      throws IOException {
    try (Connection src = from.connection();
        Connection dst = to.connection()) {
      dst.setAutoCommit(false);
      int n = copyEnvelopes(owner, src, dst);
      dst.commit();
      src.setAutoCommit(false);
      try (PreparedStatement d = src.prepareStatement("DELETE FROM queue WHERE recipient = ?")) {
        d.setString(1, owner);
        d.executeUpdate();
      }
      src.commit();
      return n;
    } catch (SQLException e) {
      throw new IOException(
          "moving a queue from " + from.url() + " to " + to.url() + " failed: " + e.getMessage(),
          e);
    }
  }

  private static int copyEnvelopes(String owner, Connection src, Connection dst)
      throws SQLException {
    List<long[]> seqs = new ArrayList<>(); // {old seq, new seq}
    try (PreparedStatement q =
            src.prepareStatement(
                "SELECT seq, sender, message_id, envelope, size, enqueued_at, expires_at FROM queue"
                    + " WHERE recipient = ? ORDER BY seq");
        PreparedStatement ins =
            dst.prepareStatement(
                "INSERT INTO queue (recipient, sender, message_id, envelope, size, enqueued_at,"
                    + " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (recipient, sender,"
                    + " message_id) DO UPDATE SET size = EXCLUDED.size RETURNING seq")) {
      q.setString(1, owner);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          ins.setString(1, owner);
          ins.setString(2, rs.getString(2));
          ins.setString(3, rs.getString(3));
          ins.setBytes(4, rs.getBytes(4));
          ins.setInt(5, rs.getInt(5));
          ins.setLong(6, rs.getLong(6));
          ins.setLong(7, rs.getLong(7));
          try (ResultSet got = ins.executeQuery()) {
            got.next();
            seqs.add(new long[] {rs.getLong(1), got.getLong(1)});
          }
        }
      }
    }
    try (PreparedStatement q =
            src.prepareStatement("SELECT device FROM queue_targets WHERE seq = ?");
        PreparedStatement ins =
            dst.prepareStatement(
                "INSERT INTO queue_targets (seq, device) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
      for (long[] s : seqs) {
        q.setLong(1, s[0]);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            ins.setLong(1, s[1]);
            ins.setString(2, rs.getString(1));
            ins.addBatch();
          }
        }
      }
      ins.executeBatch();
    }
    return seqs.size();
  }
}
