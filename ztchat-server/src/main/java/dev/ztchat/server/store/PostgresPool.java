package dev.ztchat.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Opens the HikariCP pools of the relay's PostgreSQL store, as its {@code --store} URL says. */
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
}
