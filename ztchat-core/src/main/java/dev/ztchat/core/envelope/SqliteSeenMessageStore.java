package dev.ztchat.core.envelope;

import dev.ztchat.core.store.SqliteFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A {@link SeenMessageStore} in a SQLite file, so that a replay after the client restarts is still
 * caught. The file is created with mode 0600 before SQLite opens it (and tightened to 0600 if it
 * already exists with wider access): it reveals who wrote to this user and when. SQLite's WAL and
 * shared-memory files take the same mode. WAL journaling with {@code synchronous=FULL}: an id is on
 * disk before {@link #recordIfAbsent} returns, so a crash right after accepting a message does not
 * reopen the door to its replay.
 */
public final class SqliteSeenMessageStore implements SeenMessageStore {

  private final Path file;
  private final Connection db;

  private SqliteSeenMessageStore(Path file, Connection db) {
    this.file = file;
    this.db = db;
  }

  /** Opens the store in {@code file}, creating it (and its directory, mode 0700) if needed. */
  public static SqliteSeenMessageStore open(Path file) throws IOException {
    Path absolute = file.toAbsolutePath();
    Connection db = SqliteFiles.openPrivate(absolute, "the seen-message store");
    try {
      try (Statement st = db.createStatement()) {
        st.execute(
            "CREATE TABLE IF NOT EXISTS seen (sender TEXT NOT NULL, message_id BLOB NOT NULL,"
                + " ts INTEGER NOT NULL, PRIMARY KEY (sender, message_id)) WITHOUT ROWID");
        st.execute("CREATE INDEX IF NOT EXISTS seen_by_ts ON seen (ts)");
        st.execute(
            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
      } catch (SQLException e) {
        db.close();
        throw e;
      }
      return new SqliteSeenMessageStore(absolute, db);
    } catch (SQLException e) {
      throw new IOException(
          file + " cannot be used as the seen-message store (" + e.getMessage() + ")", e);
    }
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  @Override
  public synchronized boolean recordIfAbsent(
      String sender, byte[] messageId, long timestampMillis) {
    try (PreparedStatement ps =
        db.prepareStatement(
            "INSERT OR IGNORE INTO seen (sender, message_id, ts) VALUES (?, ?, ?)")) {
      ps.setString(1, sender);
      ps.setBytes(2, messageId);
      ps.setLong(3, timestampMillis);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  @Override
  public synchronized void evictOlderThan(long cutoffMillis) {
    try (PreparedStatement ps = db.prepareStatement("DELETE FROM seen WHERE ts < ?")) {
      ps.setLong(1, cutoffMillis);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  @Override
  public synchronized long size() {
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM seen")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  @Override
  public synchronized long evictOldest(long count) {
    String oldest = "SELECT sender, message_id FROM seen ORDER BY ts, sender, message_id LIMIT ?";
    try (PreparedStatement max =
            db.prepareStatement("SELECT max(ts) FROM (SELECT ts FROM seen ORDER BY ts LIMIT ?)");
        PreparedStatement delete =
            db.prepareStatement(
                "DELETE FROM seen WHERE (sender, message_id) IN (" + oldest + ")")) {
      max.setLong(1, count);
      long newest = Long.MIN_VALUE;
      try (ResultSet rs = max.executeQuery()) {
        if (rs.next()) {
          long ts = rs.getLong(1);
          newest = rs.wasNull() ? Long.MIN_VALUE : ts;
        }
      }
      delete.setLong(1, count);
      delete.executeUpdate();
      return newest;
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  @Override
  public synchronized long floorMillis() {
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT value FROM meta WHERE name = 'floor'")) {
      return rs.next() ? rs.getLong(1) : Long.MIN_VALUE;
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  @Override
  public synchronized void raiseFloor(long floorMillis) {
    try (PreparedStatement ps =
        db.prepareStatement(
            "INSERT INTO meta (name, value) VALUES ('floor', ?) ON CONFLICT (name)"
                + " DO UPDATE SET value = max(value, excluded.value)")) {
      ps.setLong(1, floorMillis);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  @Override
  public synchronized void remove(String sender, byte[] messageId) {
    try (PreparedStatement ps =
        db.prepareStatement("DELETE FROM seen WHERE sender = ? AND message_id = ?")) {
      ps.setString(1, sender);
      ps.setBytes(2, messageId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private IllegalStateException failed(SQLException e) {
    return new IllegalStateException(
        "the seen-message store " + file + " failed (" + e.getMessage() + ")", e);
  }

  @Override
  public String toString() {
    return "SqliteSeenMessageStore[" + file + "]";
  }
}
