package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.store.SqliteFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

/**
 * {@link PrekeyStore} in the relay's SQLite store ({@code relay.db}, WAL, {@code synchronous=FULL},
 * the tables created by the store's one migration routine), on a connection of its own so that the
 * envelope store's batches and prekey requests do not wait for each other's threads; SQLite
 * serialises the writes. Every change runs in one {@code BEGIN IMMEDIATE} transaction, so a
 * one-time prekey is deleted and read in one step that no other connection or process can
 * interleave with, and is gone for good once the transaction commits (before the relay answers).
 *
 * <p>Thread-safe: every method holds the store's lock.
 */
public final class SqlitePrekeyStore extends JdbcPrekeyStore {
  /** SQLite's SQL: BEGIN IMMEDIATE already keeps every other writer out. */
  private static final Dialect SQLITE =
      new Dialect() {
        @Override
        public String insertionOrder() {
          return "rowid";
        }

        @Override
        public String allRows() {
          return "-1";
        }

        @Override
        public String takeOneTime() {
          return "DELETE FROM prekey_one_time WHERE owner = ? AND device = ? AND id = (SELECT"
              + " MIN(id) FROM prekey_one_time WHERE owner = ? AND device = ?) RETURNING prekey";
        }

        @Override
        public void lockOwner(Connection c, String owner) {
          // the immediate transaction holds the database's write lock
        }
      };

  private final Connection db;

  private SqlitePrekeyStore(Connection db, Clock clock, int maxOneTime) {
    super(SQLITE, maxOneTime, clock);
    this.db = db;
  }

  /**
   * Opens the prekey tables of the relay's store in {@code dataDir} (creating and migrating the
   * store as needed).
   */
  public static SqlitePrekeyStore open(Path dataDir, int maxOneTime, Clock clock)
      throws IOException {
    requireNonNull(clock, "clock");
    if (maxOneTime < 1) {
      throw new IllegalArgumentException("maxOneTime must be at least 1");
    }
    Path file = dataDir.resolve("relay.db");
    Connection c =
        SqliteFiles.openPrivate(
            file, "the relay's store (another server on the same --data folder?)");
    try {
      SqliteOfflineQueue.migrate(c);
      return new SqlitePrekeyStore(c, clock, maxOneTime);
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the original failure is what matters
      }
      throw new IOException("cannot set up the relay's store " + file + ": " + e.getMessage(), e);
    }
  }

  /** The tables, created by the store's migration to schema 3. */
  static void createTables(Statement s) throws SQLException {
    s.execute(
        "CREATE TABLE prekey_devices (owner TEXT NOT NULL, device BLOB NOT NULL, certificate BLOB"
            + " NOT NULL, registered_at INTEGER NOT NULL, signed_id INTEGER, signed_prekey BLOB,"
            + " last_resort_id INTEGER, last_resort BLOB, next_one_time_id INTEGER NOT NULL,"
            + " PRIMARY KEY (owner, device))");
    s.execute(
        "CREATE TABLE prekey_one_time (owner TEXT NOT NULL, device BLOB NOT NULL, id INTEGER NOT"
            + " NULL, prekey BLOB NOT NULL, PRIMARY KEY (owner, device, id))");
  }

  /** Runs {@code work} in one immediate transaction: committed on return, rolled back on throw. */
  @Override
  synchronized <T> T transaction(String what, Work<T> work)
      throws IOException, PrekeyRefusedException {
    try (Statement s = db.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      try {
        T result = work.run(db);
        s.execute("COMMIT");
        return result;
      } catch (SQLException | PrekeyRefusedException | RuntimeException e) {
        try {
          s.execute("ROLLBACK");
        } catch (SQLException ignored) {
          // the original failure is what matters
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new IOException(what + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException ignored) {
      // closing
    }
  }
}
