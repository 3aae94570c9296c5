package dev.ztchat.server.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The explicit step that adding a database to {@code --store}, or taking one out of it, needs
 * ({@code ztchat server store-move}, docs/DEPLOYMENT.md): with every relay node stopped, it moves
 * each recipient's queued envelopes (with the devices still to acknowledge each) from the database
 * that holds them to the one the new list's {@link HashRing} assigns, then records the new ring in
 * every database, so that the relays start with it ({@link ShardMembership}). The databases being
 * taken out (given apart from the new list) are drained the same way into their recipients' new
 * owners, and then record the new ring too, empty. Everything else stays on the home database,
 * which can never be taken out.
 *
 * <p>Per recipient, the envelopes are first copied, in their order, into the new database and
 * committed there, then deleted from the old one: a move cut short leaves copies in both, and
 * running it again completes it (an envelope already copied is recognised by its recipient, sender
 * and message id and not copied twice). An envelope is never in neither. Its {@code seq} changes
 * (each database has its own sequence), its order among the recipient's envelopes does not. Until
 * the ring is recorded at the end, every database of the move says a move is in progress ({@link
 * ShardRecord#movingTo}), and the relays refuse to start on any list.
 */
public final class ShardMove {
  /** What a move did. */
  public record Moved(int recipients, int envelopes) {}

  /** What a move tells as it goes; the command prints it. */
  public interface Progress {
    /** Tells nothing. */
    Progress NONE = new Progress() {};

    /** {@code recipients} recipients of the database {@code from} change database. */
    default void draining(String from, int recipients) {}

    /**
     * One recipient's {@code envelopes} were copied to {@code to} and committed there; their delete
     * from {@code from} follows.
     */
    default void copied(String from, String to, int envelopes) {}

    /** The database {@code from} is done: {@code recipients} moved, {@code envelopes} in all. */
    default void drained(String from, int recipients, int envelopes) {}
  }

  private ShardMove() {}

  /**
   * Moves every queue to the database the ring of {@code urls} (the new {@code --store} list, the
   * home first, as the relays will be given it) assigns, and records the ring.
   */
  public static Moved move(List<PostgresUrl> urls, QueueLimits limits, Clock clock)
      throws IOException {
    return move(urls, List.of(), limits, clock, Progress.NONE);
  }

  /**
   * As {@link #move(List, QueueLimits, Clock)}, also draining the databases of {@code removed}
   * (shards of this store that the new list leaves out) into the databases of {@code urls}. Every
   * check comes before the first change: a database that cannot be reached, one that is not a shard
   * of this store, the home database among {@code removed}, a shard the new list leaves out without
   * naming it in {@code removed}, or a relay node still running, stop it with nothing changed.
   */
  public static Moved move(
      List<PostgresUrl> urls,
      List<PostgresUrl> removed,
      QueueLimits limits,
      Clock clock,
      Progress progress)
      throws IOException {
    Map<PostgresUrl, ShardRecord> leaving = ShardMoveChecks.inspectRemoved(urls, removed);
    List<PostgresOfflineQueue> shards = ShardedOfflineQueue.openEach(urls, limits, clock);
    List<PostgresOfflineQueue> old = new ArrayList<>();
    try {
      Map<PostgresOfflineQueue, ShardRecord> records = ShardMembership.read(shards);
      HashRing ring = ShardMembership.ringOf(records);
      ShardMoveChecks.checkRemoved(records, leaving, ring);
      ShardMembership.checkHome(records);
      ShardMoveChecks.checkNoNodeRunning(shards.getFirst());
      old.addAll(ShardedOfflineQueue.openEach(removed, limits, clock));
      Map<PostgresOfflineQueue, ShardRecord> sources = new LinkedHashMap<>(records);
      sources.putAll(ShardMembership.read(old));
      markMoving(sources.keySet(), ring);
      Moved moved = moveAll(sources, records, ring, progress);
      ShardMembership.record(ShardMembership.read(shards), ring); // as marked, not as first read
      String home = records.values().iterator().next().name();
      for (PostgresOfflineQueue q : old) {
        ShardMoveChecks.retire(q, ring, home);
      }
      return moved;
    } finally {
      shards.forEach(PostgresOfflineQueue::close);
      old.forEach(PostgresOfflineQueue::close);
    }
  }

  /**
   * Marks every database of the move as moving to {@code ring} before the first envelope moves, so
   * that a move cut short is refused by the relays until it is run again ({@link ShardMembership}).
   */
  private static void markMoving(Collection<PostgresOfflineQueue> databases, HashRing ring)
      throws IOException {
    for (PostgresOfflineQueue q : databases) {
      try (Connection c = q.connection()) {
        ShardRecord.recordMoving(c, ring);
      } catch (SQLException e) {
        throw new IOException("recording the move in " + q.url() + " failed: " + e.getMessage(), e);
      }
    }
  }

  /** Moves each recipient of {@code sources} whose owner under {@code ring} is another database. */
  private static Moved moveAll(
      Map<PostgresOfflineQueue, ShardRecord> sources,
      Map<PostgresOfflineQueue, ShardRecord> targets,
      HashRing ring,
      Progress progress)
      throws IOException {
    Map<String, PostgresOfflineQueue> byName = new LinkedHashMap<>();
    targets.forEach((q, r) -> byName.put(r.name(), q));
    int recipients = 0;
    int envelopes = 0;
    for (var from : sources.entrySet()) {
      PostgresOfflineQueue source = from.getKey();
      List<String> moving =
          ownersOn(source).stream()
              .filter(r -> !ring.ownerOf(r).equals(from.getValue().name()))
              .toList();
      if (moving.isEmpty()) {
        continue;
      }
      progress.draining(source.url().toString(), moving.size());
      int here = 0;
      for (String owner : moving) {
        here += moveOne(owner, source, byName.get(ring.ownerOf(owner)), progress);
      }
      progress.drained(source.url().toString(), moving.size(), here);
      recipients += moving.size();
      envelopes += here;
    }
    return new Moved(recipients, envelopes);
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
  private static int moveOne(
      String owner, PostgresOfflineQueue from, PostgresOfflineQueue to, Progress progress)
      throws IOException {
    try (Connection src = from.connection();
        Connection dst = to.connection()) {
      dst.setAutoCommit(false);
      int n = copyEnvelopes(owner, src, dst);
      dst.commit();
      progress.copied(from.url().toString(), to.url().toString(), n);
      src.setAutoCommit(false);
      try (PreparedStatement d = src.prepareStatement("DELETE FROM queue WHERE recipient = ?")) {
        d.setString(1, owner);
        d.executeUpdate();
      }
      src.commit();
      return n;
    } catch (SQLException e) {
      throw new IOException(
          "moving a queue from "
              + from.url()
              + " to "
              + to.url()
              + " failed: "
              + e.getMessage()
              + " (what was moved stays moved: run the same command again to finish)",
          e);
    }
  }

  private static int copyEnvelopes(String owner, Connection src, Connection dst)
      throws SQLException {
    List<long[]> seqs = new ArrayList<>(); // {old seq, new seq}
    try (PreparedStatement q =
            src.prepareStatement(
                "SELECT q.seq, q.sender, q.message_id, COALESCE(q.envelope, b.envelope), q.size,"
                    + " q.enqueued_at, q.expires_at FROM queue q LEFT JOIN bodies b ON b.id ="
                    + " q.body WHERE q.recipient = ? ORDER BY q.seq");
        PreparedStatement copied =
            dst.prepareStatement(
                "SELECT seq FROM queue WHERE recipient = ? AND sender = ? AND message_id = ?");
        PreparedStatement ins =
            dst.prepareStatement(
                "INSERT INTO queue (recipient, sender, message_id, body, envelope, size,"
                    + " enqueued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq")) {
      q.setString(1, owner);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          long seq = copiedBefore(copied, owner, rs.getString(2), rs.getString(3));
          if (seq < 0) { // the bytes in the copy's own row there: one recipient shares no body
            ins.setString(1, owner);
            ins.setString(2, rs.getString(2));
            ins.setString(3, rs.getString(3));
            ins.setLong(4, SharedBody.INLINE);
            ins.setBytes(5, rs.getBytes(4));
            ins.setInt(6, rs.getInt(5));
            ins.setLong(7, rs.getLong(6));
            ins.setLong(8, rs.getLong(7));
            try (ResultSet got = ins.executeQuery()) {
              got.next();
              seq = got.getLong(1);
            }
          }
          seqs.add(new long[] {rs.getLong(1), seq});
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

  /** The seq of the copy a move cut short already wrote to the new database, or -1. */
  private static long copiedBefore(
      PreparedStatement copied, String owner, String sender, String messageId) throws SQLException {
    copied.setString(1, owner);
    copied.setString(2, sender);
    copied.setString(3, messageId);
    try (ResultSet rs = copied.executeQuery()) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }
}
