package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What the relay's store holds, without any message content: totals for /metrics and, per
 * recipient, how many envelopes wait, their bytes and when the oldest was stored ({@code ztchat
 * server stats}). Expired envelopes (past their TTL, not yet purged) are not counted.
 */
public final class QueueStats {
  /** The whole queue; {@code oldestEnqueuedAtMillis} is 0 when it is empty. */
  public record Totals(long messages, long bytes, long recipients, long oldestEnqueuedAtMillis) {}

  /** One recipient's waiting envelopes. */
  public record Recipient(String name, long messages, long bytes, long oldestEnqueuedAtMillis) {
    public Recipient {
      requireNonNull(name, "name");
    }
  }

  private QueueStats() {}

  /** The older of two enqueue times, 0 meaning none. */
  static long oldestOf(long a, long b) {
    return a == 0 ? b : b == 0 ? a : Math.min(a, b);
  }

  static Totals totals(Connection db, long nowMillis) throws SQLException {
    try (PreparedStatement q =
        db.prepareStatement(
            "SELECT COUNT(*), COALESCE(SUM(size), 0), COUNT(DISTINCT recipient),"
                + " COALESCE(MIN(enqueued_at), 0) FROM queue WHERE expires_at > ?")) {
      q.setLong(1, nowMillis);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
      }
    }
  }

  static List<Recipient> byRecipient(Connection db, long nowMillis) throws SQLException {
    List<Recipient> out = new ArrayList<>();
    try (PreparedStatement q =
        db.prepareStatement(
            "SELECT recipient, COUNT(*), SUM(size), MIN(enqueued_at) FROM queue WHERE expires_at"
                + " > ? GROUP BY recipient ORDER BY COUNT(*) DESC, recipient")) {
      q.setLong(1, nowMillis);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new Recipient(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
        }
      }
    }
    return out;
  }

  /**
   * A store opened read-only beside a running relay: SQLite's WAL lets both read, and a PostgreSQL
   * database serves any number of readers.
   */
  public static final class Reader implements AutoCloseable {
    /** One per database: several when {@code --store} names shards, each recipient on one. */
    private final List<Connection> dbs;

    private Reader(List<Connection> dbs) {
      this.dbs = List.copyOf(dbs);
    }

    /**
     * Opens the store the relay's {@code --store} and {@code --data} name: the PostgreSQL
     * database(s) of {@code store} when it names any, else {@code relay.db} in {@code dataDir}.
     */
    public static Reader open(String store, Path dataDir) throws IOException {
      if (store == null || store.isEmpty()) {
        return open(dataDir);
      }
      List<Connection> dbs = new ArrayList<>();
      try {
        for (PostgresUrl url : PostgresUrl.parseList(store)) {
          dbs.add(connect(url));
        }
        return new Reader(dbs);
      } catch (IOException | RuntimeException e) {
        dbs.forEach(Reader::closeQuietly);
        throw e;
      }
    }

    /**
     * Connects to the relay's PostgreSQL database, read-only; a database without the relay's tables
     * is a {@link NoSuchFileException} naming it (never its password).
     */
    public static Reader open(PostgresUrl url) throws IOException {
      return new Reader(List.of(connect(url)));
    }

    private static Connection connect(PostgresUrl url) throws IOException {
      Properties p = new Properties();
      p.setProperty("user", url.user());
      if (url.password() != null) {
        p.setProperty("password", url.password());
      }
      Connection db;
      try {
        db = DriverManager.getConnection(url.jdbcUrl(), p);
      } catch (SQLException e) {
        throw new IOException(
            "cannot reach the relay's PostgreSQL store " + url + ": " + e.getMessage(), e);
      }
      try {
        db.setReadOnly(true);
        try (PreparedStatement q = db.prepareStatement("SELECT to_regclass('queue') IS NOT NULL");
            ResultSet rs = q.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            return db;
          }
        }
        db.close();
        throw new NoSuchFileException(
            url.toString(), null, "no relay store in this database: is --store the relay's?");
      } catch (SQLException e) {
        closeQuietly(db);
        throw new IOException(
            "reading the relay's PostgreSQL store " + url + " failed: " + e.getMessage(), e);
      }
    }

    /** Opens {@code relay.db} in {@code dataDir} read-only; a missing store is an error. */
    public static Reader open(Path dataDir) throws IOException {
      Path file = dataDir.resolve("relay.db");
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(
            file.toString(), null, "no relay store here: is --data the relay's data folder?");
      }
      Properties p = new Properties();
      p.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
      try {
        return new Reader(List.of(DriverManager.getConnection("jdbc:sqlite:" + file, p)));
      } catch (SQLException e) {
        throw new IOException("cannot open the relay's store " + file + ": " + e.getMessage(), e);
      }
    }

    public Totals totals(long nowMillis) throws IOException {
      try {
        long messages = 0;
        long bytes = 0;
        long recipients = 0;
        long oldest = 0;
        for (Connection db : dbs) {
          Totals t = QueueStats.totals(db, nowMillis);
          messages += t.messages();
          bytes += t.bytes();
          recipients += t.recipients();
          oldest = oldestOf(oldest, t.oldestEnqueuedAtMillis());
        }
        return new Totals(messages, bytes, recipients, oldest);
      } catch (SQLException e) {
        throw new IOException("reading the relay's store failed: " + e.getMessage(), e);
      }
    }

    public List<Recipient> byRecipient(long nowMillis) throws IOException {
      try {
        List<Recipient> out = new ArrayList<>();
        for (Connection db : dbs) {
          out.addAll(QueueStats.byRecipient(db, nowMillis));
        }
        out.sort(
            java.util.Comparator.comparingLong(Recipient::messages)
                .reversed()
                .thenComparing(Recipient::name));
        return out;
      } catch (SQLException e) {
        throw new IOException("reading the relay's store failed: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      dbs.forEach(Reader::closeQuietly);
    }

    private static void closeQuietly(Connection db) {
      try {
        db.close();
      } catch (SQLException ignored) {
        // read-only: nothing to lose
      }
    }
  }
}
