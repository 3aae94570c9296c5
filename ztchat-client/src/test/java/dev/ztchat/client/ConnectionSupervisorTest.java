package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class ConnectionSupervisorTest {
  /** A connection that only knows whether it was closed. */
  static final class FakeConnection implements AutoCloseable {
    final int number;
    volatile boolean closed;

    FakeConnection(int number) {
      this.number = number;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Fails the first {@code failures} attempts, then connects; counts attempts. */
  static final class FlakyConnector implements ConnectionSupervisor.Connector<FakeConnection> {
    final int failures;
    final AtomicInteger attempts = new AtomicInteger();
    final BlockingQueue<FakeConnection> opened = new LinkedBlockingQueue<>();

    FlakyConnector(int failures) {
      this.failures = failures;
    }

    @Override
    public FakeConnection connect() throws IOException {
      int n = attempts.incrementAndGet();
      if (n <= failures) {
        throw new IOException("connection refused (attempt " + n + ")");
      }
      FakeConnection c = new FakeConnection(n);
      opened.add(c);
      return c;
    }
  }

  final BlockingQueue<ConnectionStatus> statuses = new LinkedBlockingQueue<>();
  final BlockingQueue<FakeConnection> connected = new LinkedBlockingQueue<>();
  final List<ConnectionSupervisor<FakeConnection>> supervisors = new ArrayList<>();

  /** Millisecond-scale delays: ceilings 1, 2, 4, 4 ... ms. */
  static Backoff fastBackoff() {
    return new Backoff(
        Duration.ofMillis(1),
        2,
        Duration.ofMillis(4),
        RandomGeneratorFactory.of("L64X128MixRandom").create(7));
  }

  ConnectionSupervisor<FakeConnection> supervise(
      ConnectionSupervisor.Connector<FakeConnection> connector,
      ConnectionSupervisor.OnConnected<FakeConnection> then) {
    ConnectionSupervisor<FakeConnection> s =
        new ConnectionSupervisor<>(
            connector,
            fastBackoff(),
            statuses::add,
            c -> {
              connected.add(c);
              then.accept(c);
            });
    supervisors.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    supervisors.forEach(ConnectionSupervisor::close);
  }

  ConnectionStatus nextStatus() throws InterruptedException {
    ConnectionStatus s = statuses.poll(1, TimeUnit.SECONDS);
    assertThat(s).as("a status report within 1 s").isNotNull();
    return s;
  }

  List<ConnectionState> nextStates(int n) throws InterruptedException {
    List<ConnectionState> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(nextStatus().state());
    }
    return out;
  }

  @Test
  void failingTwiceThenConnecting_reportsEachStateInOrder_withReasonAndDelay() throws Exception {
    FlakyConnector connector = new FlakyConnector(2);
    ConnectionSupervisor<FakeConnection> s = supervise(connector, c -> {});
    s.start();

    assertThat(nextStatus().state()).isEqualTo(ConnectionState.CONNECTING);
    ConnectionStatus first = nextStatus();
    assertThat(first.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(first.reason()).isEqualTo("connection refused (attempt 1)");
    assertThat(first.retryIn()).isLessThan(Duration.ofMillis(1));
    assertThat(first.describe())
        .startsWith("offline (connection refused (attempt 1)); retrying in ");
    assertThat(nextStatus().state()).isEqualTo(ConnectionState.CONNECTING);
    ConnectionStatus second = nextStatus();
    assertThat(second.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(second.retryIn()).isLessThan(Duration.ofMillis(2));
    assertThat(nextStates(2))
        .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);

    FakeConnection c = connected.poll(1, TimeUnit.SECONDS);
    assertThat(c).isNotNull();
    assertThat(c.number).isEqualTo(3);
    assertThat(s.current()).containsSame(c);
    assertThat(s.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(connector.attempts).hasValue(3);
  }

  @Test
  void connectedIsReported_onlyOnceTheOnConnectedWorkFinished() throws Exception {
    // ChatClient publishes its encryption certificate in onConnected: a client that says it is
    // connected before that gives senders its previous key for a moment.
    CountDownLatch release = new CountDownLatch(1);
    ConnectionSupervisor<FakeConnection> s =
        supervise(new FlakyConnector(0), c -> awaitQuietly(release));
    s.start();

    assertThat(nextStatus().state()).isEqualTo(ConnectionState.CONNECTING);
    assertThat(connected.poll(1, TimeUnit.SECONDS)).isNotNull();
    assertThat(statuses.poll(100, TimeUnit.MILLISECONDS)).as("no report while it runs").isNull();
    assertThat(s.state()).isEqualTo(ConnectionState.CONNECTING);
    release.countDown();

    assertThat(nextStatus().state()).isEqualTo(ConnectionState.CONNECTED);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void lostConnection_isClosedAndReplaced_andOnConnectedRunsForTheNewOne() throws Exception {
    FlakyConnector connector = new FlakyConnector(0);
    ConnectionSupervisor<FakeConnection> s = supervise(connector, c -> {});
    s.start();
    FakeConnection first = connected.poll(1, TimeUnit.SECONDS);
    assertThat(nextStates(2))
        .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);

    s.connectionLost(first, "the server closed the connection");

    ConnectionStatus lost = nextStatus();
    assertThat(lost.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(lost.reason()).isEqualTo("the server closed the connection");
    assertThat(nextStates(2))
        .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
    FakeConnection second = connected.poll(1, TimeUnit.SECONDS);
    assertThat(second).isNotNull().isNotSameAs(first);
    assertThat(first.closed).isTrue();
    assertThat(s.current()).containsSame(second);
  }

  @Test
  void lossReportForAnOldConnection_isIgnored() throws Exception {
    ConnectionSupervisor<FakeConnection> s = supervise(new FlakyConnector(0), c -> {});
    s.start();
    FakeConnection first = connected.poll(1, TimeUnit.SECONDS);
    s.connectionLost(first, "gone");
    FakeConnection second = connected.poll(1, TimeUnit.SECONDS);
    assertThat(second).isNotNull();
    int connectedReports = 0;
    while (connectedReports < 2) { // the first connection's, then the second's
      if (nextStatus().state() == ConnectionState.CONNECTED) {
        connectedReports++;
      }
    }
    statuses.clear();

    s.connectionLost(first, "gone again");
    s.connectionLost(new FakeConnection(99), "never ours");
    // Reports are handled in order on one loop: had either stale report counted, it would come
    // before the current connection's.
    s.connectionLost(second, "marker");
    assertThat(nextStatus().reason()).isEqualTo("marker");

    assertThat(second.closed).isTrue();
    assertThat(connected.poll(1, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void failingOnConnected_closesThatConnection_andTriesAgain() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ConnectionSupervisor<FakeConnection> s =
        supervise(
            new FlakyConnector(0),
            c -> {
              if (calls.incrementAndGet() == 1) {
                throw new IOException("flushing the outbox failed");
              }
            });
    s.start();

    assertThat(nextStatus().state()).isEqualTo(ConnectionState.CONNECTING);
    ConnectionStatus failed = nextStatus();
    assertThat(failed.state())
        .as("never reported as connected")
        .isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(failed.reason()).isEqualTo("flushing the outbox failed");
    assertThat(nextStates(2))
        .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
    FakeConnection first = connected.poll(1, TimeUnit.SECONDS);
    FakeConnection second = connected.poll(1, TimeUnit.SECONDS);
    assertThat(first.closed).isTrue();
    assertThat(second.closed).isFalse();
  }

  @Test
  void refusedCertificate_isReportedOnce_andNoAttemptFollows() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    ConnectionSupervisor<FakeConnection> s =
        supervise(
            () -> {
              attempts.incrementAndGet();
              throw CertificateRefusedException.renewed("alice", "/keys");
            },
            c -> {});
    s.start();
    assertThat(nextStates(2)).containsExactly(ConnectionState.CONNECTING, ConnectionState.REFUSED);

    // with this backoff a retry is reported (offline, retrying in ...) within milliseconds
    assertThat(statuses.poll(200, TimeUnit.MILLISECONDS)).as("no retry after a refusal").isNull();
    assertThat(s.state()).isEqualTo(ConnectionState.REFUSED);
    s.close();
    assertThat(attempts).hasValue(1);
  }

  @Test
  void close_stopsRetrying_andClosesTheCurrentConnection() throws Exception {
    FlakyConnector neverUp = new FlakyConnector(Integer.MAX_VALUE);
    ConnectionSupervisor<FakeConnection> retrying = supervise(neverUp, c -> {});
    retrying.start();
    nextStates(4);
    retrying.close();
    int attemptsAtClose = neverUp.attempts.get();

    ConnectionSupervisor<FakeConnection> up = supervise(new FlakyConnector(0), c -> {});
    up.start();
    FakeConnection c = connected.poll(1, TimeUnit.SECONDS);
    up.close();

    assertThat(c.closed).isTrue();
    assertThat(up.current()).isEmpty();
    // close() waited for the retrying loop's thread to end, so no attempt can follow it
    assertThat(neverUp.attempts).hasValue(attemptsAtClose);
  }

  @Test
  void close_whileAnAttemptIsBlocked_interruptsIt_andReturnsPromptly() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    ConnectionSupervisor<FakeConnection> s =
        supervise(
            () -> {
              entered.countDown();
              try {
                new CountDownLatch(1).await();
              } catch (InterruptedException e) {
                throw new IOException("interrupted while connecting", e);
              }
              throw new AssertionError("unreachable");
            },
            c -> {});
    s.start();
    assertThat(entered.await(1, TimeUnit.SECONDS)).isTrue();

    long start = System.nanoTime();
    s.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    assertThat(statuses)
        .extracting(ConnectionStatus::state)
        .containsExactly(ConnectionState.CONNECTING);
  }
}
