package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link PublishedCertificates} in the relay's PostgreSQL store: table {@code
 * published_certificates}, one row per owner and certificate. Adding one that is new sends {@code
 * NOTIFY ztchat_certificates} with its owner in the same statement, so other nodes hear of it only
 * once it is committed ({@link PostgresCommitNotices}).
 *
 * <p>Thread-safe: each call takes its own pooled connection.
 */
final class PostgresPublishedCertificates implements PublishedCertificates {
  private final HikariDataSource pool;
  private final PostgresCommitNotices notices;

  private PostgresPublishedCertificates(HikariDataSource pool, PostgresCommitNotices notices) {
    this.pool = pool;
    this.notices = notices;
  }

  static PostgresPublishedCertificates open(PostgresUrl url) throws IOException {
    requireNonNull(url, "url");
    HikariDataSource pool = PostgresPool.open(url, "ztchat-certificates", 2);
    try {
      PostgresOfflineQueue.migrate(pool);
      return new PostgresPublishedCertificates(
          pool, new PostgresCommitNotices(url, PostgresCommitNotices.CERTIFICATES_CHANNEL));
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw new IOException(
          "cannot set up the relay's PostgreSQL store " + url + ": " + e.getMessage(), e);
    }
  }

  /** The table, created by the store's migration to schema 2. */
  static void createTable(Statement s) throws SQLException {
    s.execute(
        "CREATE TABLE published_certificates (owner TEXT NOT NULL, role TEXT NOT NULL, der BYTEA"
            + " NOT NULL, PRIMARY KEY (owner, der))");
  }

  @Override
  public void add(Published certificate) throws IOException {
    try (Connection c = pool.getConnection();
        PreparedStatement p =
            c.prepareStatement(
                "WITH added AS (INSERT INTO published_certificates (owner, role, der) VALUES (?,"
                    + " ?, ?) ON CONFLICT DO NOTHING RETURNING owner) SELECT pg_notify(?, ?) FROM"
                    + " added")) {
      p.setString(1, certificate.owner());
      p.setString(2, certificate.role());
      p.setBytes(3, certificate.der());
      p.setString(4, notices.channel());
      p.setString(5, notices.payload(certificate.owner()));
      p.executeQuery().close();
    } catch (SQLException e) {
      throw new IOException("keeping a published certificate failed: " + e.getMessage(), e);
    }
  }

  @Override
  public List<Published> of(String owner) throws IOException {
    return read(
        "SELECT owner, role, der FROM published_certificates WHERE owner = ?",
        requireNonNull(owner, "owner"));
  }

  @Override
  public AddedSince<Published> addedSince(long cursor) throws IOException {
    try (Connection c = pool.getConnection()) {
      return AddedSince.read(
          c,
          "SELECT owner, role, der FROM published_certificates WHERE added_xid >= ?::xid8",
          cursor,
          rs -> new Published(rs.getString(1), rs.getString(2), rs.getBytes(3)));
    } catch (SQLException e) {
      throw new IOException("reading published certificates failed: " + e.getMessage(), e);
    }
  }

  private List<Published> read(String sql, String owner) throws IOException {
    try (Connection c = pool.getConnection();
        PreparedStatement q = c.prepareStatement(sql)) {
      if (owner != null) {
        q.setString(1, owner);
      }
      List<Published> out = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new Published(rs.getString(1), rs.getString(2), rs.getBytes(3)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IOException("reading published certificates failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void listenForOtherNodes(RemoteCommitListener listener) {
    notices.start(listener);
  }

  @Override
  public void close() {
    notices.close();
    pool.close();
  }
}
