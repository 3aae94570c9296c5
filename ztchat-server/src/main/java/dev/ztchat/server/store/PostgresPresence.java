package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SharedPresence} in the relay's PostgreSQL store: table {@code relay_nodes} holds each
 * running node (a random id drawn at every start) and its last heartbeat, table {@code
 * relay_presence} the users online on it. A node beats every {@link #HEARTBEAT}; one whose last
 * beat is older than {@link #EXPIRY} (killed, cut off from the database) counts as down, and its
 * users as offline, without anybody having to clean up after it. Beats are the database's own
 * clock, so the nodes' clocks do not matter. Nodes down for {@link #FORGET} are deleted with their
 * rows.
 *
 * <p>Each beat also reads, for the users online here, on how many live nodes they are connected
 * ({@link #nodesServing}), for the rate limits.
 *
 * <p>Writes run on one thread of this class, in call order; a write that fails (the database is
 * unreachable) marks the node's rows stale, and the next successful beat writes them again whole
 * from what this node holds, so presence recovers with the database.
 */
final class PostgresPresence implements SharedPresence {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresPresence.class);

  /** How often a node tells the database it is alive. */
  static final Duration HEARTBEAT = Duration.ofSeconds(5);

  /** After how long without a beat a node's users count as offline. */
  static final Duration EXPIRY = Duration.ofSeconds(20);

  /** After how long without a beat a node and its rows are deleted. */
  static final Duration FORGET = Duration.ofMinutes(10);

  private final HikariDataSource pool;
  private final String node = HexFormat.of().formatHex(randomId());
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "ztchat-presence");
            t.setDaemon(true);
            return t;
          });

  /** The users online here; presence thread only. */
  private final Set<String> here = new LinkedHashSet<>();

  /**
   * On how many live nodes each identity online here is connected, when more than one; written by
   * each beat, read anywhere.
   */
  private volatile Map<String, Integer> spread = Map.of();

  /** Whether the rows of this node may differ from {@link #here}; presence thread only. */
  private boolean stale = true;

  private PostgresPresence(HikariDataSource pool) {
    this.pool = pool;
    thread.scheduleWithFixedDelay(this::beat, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
  }

  static PostgresPresence open(PostgresUrl url) throws IOException {
    requireNonNull(url, "url");
    HikariDataSource pool = PostgresPool.open(url, "ztchat-presence", 2);
    try {
      PostgresOfflineQueue.migrate(pool);
      return new PostgresPresence(pool);
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw new IOException(
          "cannot set up the relay's PostgreSQL store " + url + ": " + e.getMessage(), e);
    }
  }

  private static byte[] randomId() {
    byte[] id = new byte[8];
    ThreadLocalRandom.current().nextBytes(id);
    return id;
  }

  /** The tables, created by the store's migration to schema 3. */
  static void createTables(Statement s) throws SQLException {
    s.execute("CREATE TABLE relay_nodes (node TEXT PRIMARY KEY, heartbeat TIMESTAMPTZ NOT NULL)");
    s.execute(
        "CREATE TABLE relay_presence (node TEXT NOT NULL REFERENCES relay_nodes (node) ON DELETE"
            + " CASCADE, identity TEXT NOT NULL, PRIMARY KEY (identity, node))");
  }

  @Override
  public void arrived(String identity) {
    requireNonNull(identity, "identity");
    onThread(
        () -> {
          if (here.add(identity) && !stale) {
            write(
                "INSERT INTO relay_presence (node, identity) VALUES (?, ?) ON CONFLICT DO NOTHING",
                identity);
          }
        });
  }

  @Override
  public void left(String identity) {
    requireNonNull(identity, "identity");
    onThread(
        () -> {
          if (here.remove(identity) && !stale) {
            write("DELETE FROM relay_presence WHERE node = ? AND identity = ?", identity);
          }
        });
  }

  /** Runs {@code change} on the presence thread; nothing once closed (the rows are gone then). */
  private void onThread(Runnable change) {
    try {
      thread.execute(change);
    } catch (RejectedExecutionException e) {
      LOG.debug("presence closed: a change after it is not shared");
    }
  }

  private void write(String sql, String identity) {
    try (Connection c = pool.getConnection();
        PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, node);
      p.setString(2, identity);
      p.executeUpdate();
    } catch (SQLException e) {
      stale = true; // the next beat writes every row again
      LOG.warn(
          "sharing the presence of {} with the other nodes failed: {}", identity, e.getMessage());
    }
  }

  /** Tells the database this node is alive, first writing its rows again when they may be stale. */
  private void beat() {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        boolean forgotten; // by the other nodes, after a long time cut off: the rows went too
        try (PreparedStatement p =
            c.prepareStatement(
                "INSERT INTO relay_nodes (node, heartbeat) VALUES (?, now()) ON CONFLICT (node) DO"
                    + " UPDATE SET heartbeat = now() RETURNING (xmax = 0)")) {
          p.setString(1, node);
          try (ResultSet rs = p.executeQuery()) {
            forgotten = rs.next() && rs.getBoolean(1);
          }
        }
        if (stale || forgotten) {
          rewrite(c);
        }
        try (PreparedStatement p =
            c.prepareStatement(
                "DELETE FROM relay_nodes WHERE heartbeat < now() - make_interval(secs => ?)")) {
          p.setLong(1, FORGET.toSeconds());
          p.executeUpdate();
        }
        Map<String, Integer> nowSpread = readSpread(c);
        c.commit();
        stale = false;
        spread = nowSpread;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      stale = true;
      LOG.warn("telling the other relay nodes this one is alive failed: {}", e.getMessage());
    }
  }

  /** The identities online here that are also connected to another live node, and to how many. */
  private Map<String, Integer> readSpread(Connection c) throws SQLException {
    if (here.isEmpty()) {
      return Map.of();
    }
    try (PreparedStatement q =
        c.prepareStatement(
            "SELECT p.identity, count(*) FROM relay_presence p JOIN relay_nodes n ON n.node ="
                + " p.node WHERE p.identity = ANY (?) AND n.heartbeat > now() -"
                + " make_interval(secs => ?) GROUP BY p.identity HAVING count(*) > 1")) {
      q.setArray(1, c.createArrayOf("text", here.toArray()));
      q.setLong(2, EXPIRY.toSeconds());
      Map<String, Integer> out = new HashMap<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getInt(2));
        }
      }
      return Map.copyOf(out);
    }
  }

  @Override
  public int nodesServing(String identity) {
    return spread.getOrDefault(identity, 1);
  }

  private void rewrite(Connection c) throws SQLException {
    try (PreparedStatement del = c.prepareStatement("DELETE FROM relay_presence WHERE node = ?")) {
      del.setString(1, node);
      del.executeUpdate();
    }
    try (PreparedStatement ins =
        c.prepareStatement("INSERT INTO relay_presence (node, identity) VALUES (?, ?)")) {
      for (String identity : here) {
        ins.setString(1, node);
        ins.setString(2, identity);
        ins.addBatch();
      }
      ins.executeBatch();
    }
  }

  @Override
  public Set<String> onlineElsewhere(Collection<String> identities) throws IOException {
    if (identities.isEmpty()) {
      return Set.of();
    }
    try (Connection c = pool.getConnection();
        PreparedStatement q =
            c.prepareStatement(
                "SELECT DISTINCT p.identity FROM relay_presence p JOIN relay_nodes n ON n.node ="
                    + " p.node WHERE p.identity = ANY (?) AND p.node <> ? AND n.heartbeat > now() -"
                    + " make_interval(secs => ?)")) {
      q.setArray(1, c.createArrayOf("text", identities.toArray()));
      q.setString(2, node);
      q.setLong(3, EXPIRY.toSeconds());
      Set<String> out = new HashSet<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IOException("reading who is online on other nodes failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Connection c = pool.getConnection();
        PreparedStatement p = c.prepareStatement("DELETE FROM relay_nodes WHERE node = ?")) {
      p.setString(1, node);
      p.executeUpdate();
    } catch (SQLException e) {
      LOG.warn("this node's users stay listed until its rows expire: {}", e.getMessage());
    }
    pool.close();
  }
}
