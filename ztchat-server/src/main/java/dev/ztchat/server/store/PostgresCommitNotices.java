package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cross-node wake-up of the PostgreSQL store: each enqueue sends {@code NOTIFY ztchat_queue}
 * with its recipient, in the enqueuing transaction (so it is delivered only if and when the
 * envelope commits), and each relay node listens on one dedicated connection of its own and tells
 * its {@link RemoteCommitListener} about the recipients other nodes wrote for.
 *
 * <p>A notice is a wake-up only: the envelopes are read from the store. Two things cover a notice
 * that never arrives: after the listening connection is made again (the database restarted, the
 * network broke) the listener hears {@link RemoteCommitListener#mayHaveMissed}, and it hears it
 * every {@link #SWEEP} anyway, after a {@code SELECT 1} that finds a dead connection before the
 * sweep relies on it. So an envelope from another node reaches a connected recipient within
 * milliseconds normally, and within {@link #SWEEP} (plus the reconnect back-off) at worst; a
 * recipient who connects reads its queue at once in any case.
 *
 * <p>Threading: one daemon thread per node, started by {@link #start}, stopped by {@link #close}.
 */
final class PostgresCommitNotices implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresCommitNotices.class);

  /** The channel of new envelopes: every node notifies and listens on it. */
  static final String QUEUE_CHANNEL = "ztchat_queue";

  /** The channel of devices registered through a node (their owner's name). */
  static final String DEVICES_CHANNEL = "ztchat_devices";

  /** The channel of certificates published through a node ({@link PublishedCertificates}). */
  static final String CERTIFICATES_CHANNEL = "ztchat_certificates";

  /** How often every connected recipient re-reads its queue, in case a notice was lost. */
  static final Duration SWEEP = Duration.ofSeconds(15);

  /** Longest wait between two attempts to listen again. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  /**
   * The listening connection's {@code application_name} in {@code pg_stat_activity}, unless the
   * {@code --store} URL names one.
   */
  static final String APPLICATION_NAME = "ztchat-relay-notices";

  /** How long one wait for notices lasts, so that {@link #close} is seen promptly. */
  private static final int WAIT_MILLIS = 500;

  /**
   * This node's id, in front of the recipient in each payload it sends, so the node ignores its own
   * notices (it hands its own envelopes to its pumps as they commit).
   */
  private final String nodeId = HexFormat.of().formatHex(randomId());

  private final PostgresUrl url;
  private final String channel;
  private volatile Thread thread;
  private volatile boolean closed;

  /**
   * Notices on {@code channel} ({@link #QUEUE_CHANNEL}, {@link #DEVICES_CHANNEL} or {@link
   * #CERTIFICATES_CHANNEL}).
   */
  PostgresCommitNotices(PostgresUrl url, String channel) {
    this.url = requireNonNull(url, "url");
    this.channel = requireNonNull(channel, "channel");
  }

  private static byte[] randomId() {
    byte[] id = new byte[8];
    ThreadLocalRandom.current().nextBytes(id);
    return id;
  }

  /**
   * Inside the enqueuing transaction on {@code c}: tells every node listening that {@code
   * recipient} has a new envelope, once (and only if) the transaction commits.
   */
  void notifyCommitted(Connection c, String recipient) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      p.setString(1, channel);
      p.setString(2, payload(recipient));
      p.executeQuery().close();
    }
  }

  /** The notice's payload for {@code name}: this node's id, then the name. */
  String payload(String name) {
    return nodeId + name;
  }

  /** The channel these notices go on. */
  String channel() {
    return channel;
  }

  /** Starts listening for other nodes' notices, telling {@code listener}. */
  synchronized void start(RemoteCommitListener listener) {
    requireNonNull(listener, "listener");
    if (thread != null) {
      throw new IllegalStateException("already listening");
    }
    Thread t = new Thread(() -> run(listener), "ztchat-notices-" + channel);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  private void run(RemoteCommitListener listener) {
    long backoff = 250;
    while (!closed) {
      try (Connection c = connect()) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + channel);
        }
        backoff = 250;
        listener.mayHaveMissed(); // whatever was committed while this node was not listening
        listen(c, c.unwrap(PGConnection.class), listener);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.warn(
            "listening for other relay nodes' notices on {} failed ({}); trying again in {} ms",
            channel,
            e.getMessage(),
            backoff);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
      }
    }
  }

  private void listen(Connection c, PGConnection pg, RemoteCommitListener listener)
      throws SQLException {
    long nextSweep = System.nanoTime() + SWEEP.toNanos();
    while (!closed) {
      PGNotification[] notices = pg.getNotifications(WAIT_MILLIS);
      if (notices != null) {
        for (PGNotification n : notices) {
          String payload = n.getParameter();
          if (payload.length() > nodeId.length() && !payload.startsWith(nodeId)) {
            listener.committedFor(payload.substring(nodeId.length()));
          }
        }
      }
      if (System.nanoTime() - nextSweep >= 0) {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1"); // a dead connection fails here, and is made again
        }
        listener.mayHaveMissed();
        nextSweep = System.nanoTime() + SWEEP.toNanos();
      }
    }
  }

  private Connection connect() throws SQLException {
    return PostgresPool.connectDirect(url, APPLICATION_NAME, 0);
  }

  /** Stops listening; the thread ends after its current wait for notices (half a second). */
  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t == null) {
      return;
    }
    t.interrupt();
    try {
      t.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
