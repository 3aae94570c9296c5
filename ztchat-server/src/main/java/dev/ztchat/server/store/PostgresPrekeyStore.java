package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

/**
 * {@link PrekeyStore} in the relay's PostgreSQL store ({@code --store postgresql://...}), so that
 * every relay node on the database hands out the same devices' prekeys: a v2 session starts
 * whichever nodes its two users are on. The rules are {@link JdbcPrekeyStore}'s; what keeps them
 * across nodes:
 *
 * <ul>
 *   <li>a one-time prekey is deleted and returned by one statement that locks its row and skips a
 *       row another transaction holds ({@code FOR UPDATE SKIP LOCKED}), committed before the relay
 *       answers: two nodes taking at once get two different prekeys, never the same one;
 *   <li>publications of one user wait for each other (a transaction-scoped advisory lock per user),
 *       so the id checks, the quota and the device limit see every earlier publication.
 * </ul>
 *
 * <p>Thread-safe: each call runs in its own pooled connection and transaction.
 */
public final class PostgresPrekeyStore extends JdbcPrekeyStore {
  /** Connections kept for prekeys at most (publications and bundle requests are rare). */
  static final int MAX_POOL = 4;

  private static final Dialect POSTGRES =
      new Dialect() {
        @Override
        public String insertionOrder() {
          return "ord";
        }

        @Override
        public String allRows() {
          return "ALL";
        }

        @Override
        public String takeOneTime() {
          return "DELETE FROM prekey_one_time WHERE owner = ? AND device = ? AND id = (SELECT id"
              + " FROM prekey_one_time WHERE owner = ? AND device = ? ORDER BY id LIMIT 1 FOR"
              + " UPDATE SKIP LOCKED) RETURNING prekey";
        }

        @Override
        public void lockOwner(Connection c, String owner) throws SQLException {
          try (PreparedStatement p =
              c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 23))")) {
            p.setString(1, owner);
            p.executeQuery().close();
          }
        }
      };

  private final HikariDataSource pool;

  private PostgresPrekeyStore(HikariDataSource pool, int maxOneTime, Clock clock) {
    super(POSTGRES, maxOneTime, clock);
    this.pool = pool;
  }

  /**
   * Connects to {@code url}, creating or migrating the store's tables (with the queue's, in one
   * migration); fails at once when the database cannot be reached.
   */
  public static PostgresPrekeyStore open(PostgresUrl url, int maxOneTime, Clock clock)
      throws IOException {
    requireNonNull(url, "url");
    requireNonNull(clock, "clock");
    HikariDataSource pool =
        PostgresPool.open(url, "ztchat-prekeys", Math.min(MAX_POOL, url.poolSize()));
    try {
      PostgresOfflineQueue.migrate(pool);
      return new PostgresPrekeyStore(pool, maxOneTime, clock);
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw new IOException(
          "cannot set up the relay's PostgreSQL store " + url + ": " + e.getMessage(), e);
    }
  }

  /** The tables, created by the store's migration to schema 2. */
  static void createTables(Statement s) throws SQLException {
    s.execute(
        "CREATE TABLE prekey_devices (ord BIGSERIAL NOT NULL, owner TEXT NOT NULL, device BYTEA"
            + " NOT NULL, certificate BYTEA NOT NULL, registered_at BIGINT NOT NULL, signed_id"
            + " BIGINT, signed_prekey BYTEA, last_resort_id BIGINT, last_resort BYTEA,"
            + " next_one_time_id BIGINT NOT NULL, PRIMARY KEY (owner, device))");
    s.execute(
        "CREATE TABLE prekey_one_time (owner TEXT NOT NULL, device BYTEA NOT NULL, id BIGINT NOT"
            + " NULL, prekey BYTEA NOT NULL, PRIMARY KEY (owner, device, id))");
  }

  @Override
  <T> T transaction(String what, Work<T> work) throws IOException, PrekeyRefusedException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | PrekeyRefusedException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException ignored) {
          // the original failure is what matters
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IOException(what + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
