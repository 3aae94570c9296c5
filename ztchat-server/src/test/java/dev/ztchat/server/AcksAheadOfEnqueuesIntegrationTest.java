package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.core.transport.TlsSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledgement is applied ahead of the enqueues already waiting for the store thread, so it
 * never waits behind more than the batch being written (issue 17: across relay nodes, where every
 * envelope is stored, a node's acknowledgements used to wait behind all of its queued enqueues, by
 * seconds at full rate). A real relay on a real PostgreSQL: the test holds two recipients' advisory
 * locks, the ones the relay takes to store an envelope, as gates; the store thread stops at the
 * first, more than a batch of enqueues queues up behind it, the last of them for the second gate,
 * then the acknowledgement. Once the first gate opens, the acknowledgement must be confirmed while
 * the second is still shut: in arrival order it would share the shut batch. No timing is judged.
 */
class AcksAheadOfEnqueuesIntegrationTest {
  /**
   * Long enough for one batch of PostgreSQL enqueues on a loaded machine (over a minute has been
   * seen); a wait for the second gate never ends.
   */
  private static final Duration A_BATCH_AT_MOST = Duration.ofMinutes(5);

  private static DevPostgres postgres;

  @TempDir Path dir;
  TestPki pki;
  String database;
  RelayServer server;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = DevPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "dave", "erin");
    database = postgres.newDatabase();
    RelayServerConfig c =
        relayConfig(pki, dir)
            .withRateLimit(ProtocolLimits.MAX_FRAMES_PER_SECOND, ProtocolLimits.MAX_FRAME_BURST);
    // bob waits silently for that batch: no idle timeout may close his connection meanwhile
    c = c.withTimeouts(A_BATCH_AT_MOST.multipliedBy(2), c.frameTimeout(), c.handshakeTimeout());
    server =
        RelayServer.start(
            c.withQueue(c.queue().withStore(database)), TlsSettings.provider(), Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  @Test
  void anAck_isAppliedAheadOfTheEnqueuesQueuedBeforeIt() throws Exception {
    try (RawFrameClient alice = connect("alice")) {
      byte[] forBob = envelope("alice", "bob");
      alice.send(new Frame.Send("stored", forBob)); // bob is offline: from the store later
      assertThat(next(alice, Frame.Sent.class).ref()).isEqualTo("stored");
      try (RawFrameClient bob = connect("bob");
          Connection gates = StoreSql.connect(database)) {
        assertThat(idOf(next(bob, Frame.Deliver.class).envelope())).isEqualTo(idOf(forBob));
        lock(gates, "pg_advisory_lock", "carol");
        lock(gates, "pg_advisory_lock", "erin");

        alice.send(new Frame.Send("carol", envelope("alice", "carol")));
        awaitStoreWaitingForAGate(gates); // in a batch of its own: nothing else was queued yet
        for (int i = 0; i < DeliveryService.MAX_BATCH; i++) {
          alice.send(new Frame.Send("dave" + i, envelope("alice", "dave")));
        }
        alice.send(new Frame.Send("erin", envelope("alice", "erin"))); // behind the second gate
        alice.send(new Frame.Ping("queued"));
        // answered in order on alice's connection: every send before it is queued for the store
        assertThat(next(alice, Frame.Pong.class).ref()).isEqualTo("queued");

        bob.send(new Frame.Ack("ack", "alice", idOf(forBob)));
        lock(gates, "pg_advisory_unlock", "carol");
        // the batch it shares holds up to MAX_BATCH - 1 enqueues of five round trips each: on a
        // loaded machine that takes longer than one frame's usual patience, but not for ever
        assertThat(bob.read(A_BATCH_AT_MOST)).isEqualTo(new Frame.Ok("ack"));

        lock(gates, "pg_advisory_unlock", "erin");
        int sent = 0;
        while (sent < DeliveryService.MAX_BATCH + 2) {
          next(alice, Frame.Sent.class);
          sent++;
        }
      }
    }
    assertThat(StoreSql.run(database, "SELECT 1 FROM queue WHERE recipient = 'bob'")).isZero();
    assertThat(StoreSql.run(database, "SELECT 1 FROM queue WHERE recipient = 'dave'"))
        .isEqualTo(DeliveryService.MAX_BATCH);
  }

  /** Waits until the relay's store thread waits for one of the test's advisory locks. */
  private static void awaitStoreWaitingForAGate(Connection c) throws Exception {
    long deadline = System.nanoTime() + A_BATCH_AT_MOST.toNanos();
    while (!anyAdvisoryLockAwaited(c)) {
      assertThat(System.nanoTime() - deadline).as("the store never reached the gate").isNegative();
      Thread.sleep(20);
    }
  }

  private static boolean anyAdvisoryLockAwaited(Connection c) throws Exception {
    try (PreparedStatement p =
            c.prepareStatement(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        ResultSet rs = p.executeQuery()) {
      return rs.next();
    }
  }

  /** Takes or gives back the session lock on {@code recipient}'s key, as the relay computes it. */
  private static void lock(Connection c, String function, String recipient) throws Exception {
    try (PreparedStatement p =
        c.prepareStatement("SELECT " + function + "(hashtextextended(?, 17))")) {
      p.setString(1, recipient);
      p.executeQuery().close();
    }
  }

  private static <T extends Frame> T next(RawFrameClient c, Class<T> type) throws Exception {
    return LiveDeliveryIntegrationTest.next(c, type);
  }
}
