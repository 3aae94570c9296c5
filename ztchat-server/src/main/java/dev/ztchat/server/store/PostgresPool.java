package dev.ztchat.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Opens the HikariCP pools of the relay's PostgreSQL store, and the connections outside them (to
 * listen, to probe), as its {@code --store} URL says.
 */
final class PostgresPool {
  private PostgresPool() {}

  /**
   * A pool named {@code name} of at most {@code size} connections to {@code url}; fails at once
   * (naming the database, never the password) when the database cannot be reached.
   */
  static HikariDataSource open(PostgresUrl url, String name, int size) throws IOException {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url.jdbcUrl());
    config.setUsername(url.user());
    if (url.password() != null) {
      config.setPassword(url.password());
    }
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(TimeUnit.SECONDS.toMillis(url.poolTimeoutSeconds()));
    config.setAutoCommit(true);
    try {
      return new HikariDataSource(config);
    } catch (HikariPool.PoolInitializationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException(
          "cannot reach the relay's PostgreSQL store "
              + url
              + ": "
              + cause.getMessage()
              + " (is the database running, and are --store's user and password right?)",
          e);
    }
  }

  /**
   * One connection to {@code url} outside any pool, shown as {@code applicationName} in {@code
   * pg_stat_activity} unless the URL names one; {@code timeoutSeconds} bounds its making (0: the
   * driver's defaults).
   */
  static Connection connectDirect(PostgresUrl url, String applicationName, int timeoutSeconds)
      throws SQLException {
    Properties props = new Properties();
    props.setProperty("ApplicationName", applicationName); // the URL's own, if any, wins
    props.setProperty("user", url.user());
    if (url.password() != null) {
      props.setProperty("password", url.password());
    }
    if (timeoutSeconds > 0) {
      props.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
      props.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
    }
    Connection c = new org.postgresql.Driver().connect(url.jdbcUrl(), props);
    if (c == null) {
      throw new SQLException("pgjdbc does not take the URL " + url);
    }
    return c;
  }
}
