package dev.ztchat.server.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** A count a test reads from a relay store's tables directly, behind the store's back. */
final class StoreCounts {
  private StoreCounts() {}

  /** The single number {@code sql} answers on the SQLite file {@code file}. */
  static long sqlite(Path file, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      return count(c, sql);
    }
  }

  /** The single number {@code sql} answers on the PostgreSQL database of {@code url}. */
  static long postgres(String url, String sql) throws SQLException {
    try (Connection c = postgres(url)) {
      return count(c, sql);
    }
  }

  /** A connection to the PostgreSQL database of {@code url}, as its owner. */
  static Connection postgres(String url) throws SQLException {
    PostgresUrl u = PostgresUrl.parse(url);
    Properties p = new Properties();
    p.setProperty("user", u.user());
    if (u.password() != null) {
      p.setProperty("password", u.password());
    }
    return DriverManager.getConnection(u.jdbcUrl(), p);
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
