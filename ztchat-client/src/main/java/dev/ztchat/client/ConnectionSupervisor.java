package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.remedy.HasRemedy;
import dev.ztchat.core.remedy.Remedy;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one connection to the relay open: connects, and after a failed attempt or a lost connection
 * tries again after a {@link Backoff} delay, until {@link #close()}, or until the relay refuses
 * this device's certificate ({@link CertificateRefusedException}: state {@link
 * ConnectionState#REFUSED}, no more attempts; a connector that can switch to renewed keys does so
 * before it gives up, see {@link ChatClient}). Every change is reported to a listener as a {@link
 * ConnectionStatus}; after each successful connect an {@code onConnected} callback runs (where the
 * client sends what waits in its {@link Outbox}), and the connection counts as established,
 * resetting the backoff, only once that callback returned. Which relay an attempt goes to is the
 * connector's business: {@link ChatClient}'s asks {@link RelayFailover}, so with several relays
 * each failed attempt or lost connection moves the next attempt, after the same backoff, to the
 * next relay.
 *
 * <p>All attempts, reports and callbacks run on one thread that this class owns, so the listener
 * sees the states in order. The connection type is generic so that this class depends on nothing
 * but {@link AutoCloseable}.
 *
 * @param <C> the connection, e.g. {@link RelayConnection}
 */
final class ConnectionSupervisor<C extends AutoCloseable> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionSupervisor.class);
  private static final long CLOSE_WAIT_MILLIS = 2_000;

  /** Opens one connection, or fails with a message the user can act on. */
  @FunctionalInterface
  public interface Connector<C> {
    C connect() throws IOException;
  }

  /** Runs on each new connection before it counts as established. */
  @FunctionalInterface
  public interface OnConnected<C> {
    void accept(C connection) throws IOException;
  }

  private final Connector<C> connector;
  private final Backoff backoff;
  private final Consumer<ConnectionStatus> listener;
  private final OnConnected<C> onConnected;
  private final ScheduledExecutorService loop;
  private final Object lock = new Object();
  private boolean started;
  private boolean closed;
  private C current;
  private volatile Thread loopThread;
  private volatile ConnectionState state = ConnectionState.DISCONNECTED;

  public ConnectionSupervisor(
      Connector<C> connector,
      Backoff backoff,
      Consumer<ConnectionStatus> listener,
      OnConnected<C> onConnected) {
    this.connector = requireNonNull(connector, "connector");
    this.backoff = requireNonNull(backoff, "backoff");
    this.listener = requireNonNull(listener, "listener");
    this.onConnected = requireNonNull(onConnected, "onConnected");
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-reconnect");
              t.setDaemon(true);
              loopThread = t;
              return t;
            });
  }

  /** Starts the first attempt now. */
  public void start() {
    synchronized (lock) {
      if (closed || started) {
        throw new IllegalStateException(
            closed ? "the supervisor is closed" : "the supervisor is already started");
      }
      started = true;
    }
    loop.execute(this::attempt);
  }

  /** The open connection, if there is one now. */
  public Optional<C> current() {
    synchronized (lock) {
      return Optional.ofNullable(current);
    }
  }

  /** The state last reported. */
  public ConnectionState state() {
    return state;
  }

  /**
   * Reports that {@code connection} was lost (call it from the connection's close hook; any
   * thread). A report about a connection that is no longer the current one is ignored.
   */
  @SuppressWarnings("ReferenceEquality") // is this the very connection in use now
  public void connectionLost(C connection, String reason) {
    requireNonNull(connection, "connection");
    submit(
        () -> {
          synchronized (lock) {
            if (closed || current != connection) {
              return;
            }
            current = null;
          }
          closeQuietly(connection);
          retryLater(reason, Optional.empty());
        });
  }

  @SuppressWarnings("ReferenceEquality") // is this the very connection in use now
  private void attempt() {
    if (isClosed()) {
      return;
    }
    report(new ConnectionStatus(ConnectionState.CONNECTING, Duration.ZERO, null));
    C c;
    try {
      c = requireNonNull(connector.connect(), "the connector returned no connection");
    } catch (CertificateRefusedException e) {
      // Only new keys can help: say so once and stop.
      report(
          new ConnectionStatus(ConnectionState.REFUSED, Duration.ZERO, e.getMessage(), e.remedy()));
      return;
    } catch (IOException | RuntimeException e) {
      retryLater(e.getMessage(), HasRemedy.of(e));
      return;
    }
    synchronized (lock) {
      if (closed) {
        closeQuietly(c);
        return;
      }
      current = c;
    }
    try {
      // Reported only once the connection's setup (ChatClient: publishing its keys) is done, so
      // "connected" means others can reach this client with its current keys.
      onConnected.accept(c);
      backoff.reset();
      report(new ConnectionStatus(ConnectionState.CONNECTED, Duration.ZERO, null));
    } catch (IOException | RuntimeException e) {
      synchronized (lock) {
        if (closed || current != c) {
          return;
        }
        current = null;
      }
      closeQuietly(c);
      retryLater(e.getMessage(), HasRemedy.of(e));
    }
  }

  private void retryLater(String reason, Optional<Remedy> remedy) {
    if (isClosed()) {
      return;
    }
    Duration delay = backoff.next();
    report(new ConnectionStatus(ConnectionState.DISCONNECTED, delay, reason, remedy));
    try {
      loop.schedule(this::attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void report(ConnectionStatus status) {
    state = status.state();
    try {
      listener.accept(status);
    } catch (RuntimeException e) {
      LOG.warn("the connection state listener failed: {}", e.toString());
    }
  }

  private void submit(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      // closed: nothing left to supervise
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void closeQuietly(C connection) {
    try {
      connection.close();
    } catch (Exception e) {
      LOG.debug("closing a connection failed: {}", e.toString());
    }
  }

  /** Stops trying, interrupts an attempt under way and closes the current connection. */
  @Override
  public void close() {
    C last;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      last = current;
      current = null;
    }
    loop.shutdownNow();
    if (Thread.currentThread() == loopThread) {
      // Closed from a listener or callback: the attempt under way ends when it returns.
      if (last != null) {
        closeQuietly(last);
      }
      return;
    }
    try {
      if (!loop.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        LOG.warn("a connection attempt did not stop within {} ms", CLOSE_WAIT_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (last != null) {
      closeQuietly(last);
    }
  }
}
