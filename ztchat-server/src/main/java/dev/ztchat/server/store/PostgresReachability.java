package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes the relay's PostgreSQL every {@link #PROBE} on one dedicated connection of its own
 * (outside the pool, whose waits are as long as {@code pool_timeout}; {@code application_name}
 * {@link #APPLICATION_NAME}), and tells a {@link StoreReachability} when the database stops
 * answering (the connection is no longer valid within {@link #TIMEOUT_SECONDS} and a new one cannot
 * be made) and when it answers again. A stopped or restarted database, or a network cut that closes
 * the connection, shows within a second or two; a silent cut within the timeouts.
 *
 * <p>Threading: one daemon thread, started by {@link #start}, stopped by {@link #close}.
 */
final class PostgresReachability implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresReachability.class);

  /** How often the database is probed. */
  static final Duration PROBE = Duration.ofSeconds(1);

  /** How long one probe (a validity check, or making a connection) may take. */
  static final int TIMEOUT_SECONDS = 2;

  /** The probing connection's {@code application_name}, unless the URL names one. */
  static final String APPLICATION_NAME = "ztchat-relay-probe";

  private final PostgresUrl url;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "ztchat-store-probe");
            t.setDaemon(true);
            return t;
          });

  /** Probing thread only. */
  private Connection connection;

  private boolean reachable = true;

  PostgresReachability(PostgresUrl url) {
    this.url = requireNonNull(url, "url");
  }

  /** Starts probing, telling {@code listener} of each change. */
  void start(StoreReachability listener) {
    requireNonNull(listener, "listener");
    thread.scheduleWithFixedDelay(
        () -> probe(listener), 0, PROBE.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void probe(StoreReachability listener) {
    try {
      if (connection == null || !connection.isValid(TIMEOUT_SECONDS)) {
        closeConnection();
        connection = PostgresPool.connectDirect(url, APPLICATION_NAME, TIMEOUT_SECONDS);
      }
      if (!reachable) {
        reachable = true;
        LOG.info("the relay's PostgreSQL store {} answers again", url);
        listener.regained();
      }
    } catch (SQLException | RuntimeException e) {
      closeConnection();
      if (reachable) {
        reachable = false;
        LOG.error("the relay's PostgreSQL store {} does not answer: {}", url, e.getMessage());
        listener.lost(e.getMessage());
      }
    }
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("closing a broken probe connection: {}", e.getMessage());
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(2 * TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeConnection();
  }
}
