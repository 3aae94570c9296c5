package dev.ztchat.server;

import dev.ztchat.server.store.PostgresUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** SQL a test runs on a relay store's PostgreSQL database, behind the nodes' backs. */
final class StoreSql {
  private StoreSql() {}

  /** Runs {@code sql} on the database of {@code storeUrl}; the rows it returned, or changed. */
  static int run(String storeUrl, String sql) throws SQLException {
    try (Connection c = connect(storeUrl);
        Statement s = c.createStatement()) {
      if (s.execute(sql)) {
        int rows = 0;
        try (ResultSet rs = s.getResultSet()) {
          while (rs.next()) {
            rows++;
          }
        }
        return rows;
      }
      return s.getUpdateCount();
    }
  }

  /** A connection to the database of {@code storeUrl}, as its user. */
  static Connection connect(String storeUrl) throws SQLException {
    PostgresUrl url = PostgresUrl.parse(storeUrl);
    Properties props = new Properties();
    props.setProperty("user", url.user());
    if (url.password() != null) {
      props.setProperty("password", url.password());
    }
    return new org.postgresql.Driver().connect(url.jdbcUrl(), props);
  }
}
