package dev.ztchat.server;

import static dev.ztchat.server.CrossNodeDeliveryIntegrationTest.receive;
import static dev.ztchat.server.CrossNodeDeliveryIntegrationTest.send;
import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.nothingDelivered;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.store.OfflineQueue;
import dev.ztchat.server.store.PostgresUrl;
import dev.ztchat.server.store.QueueLimits;
import dev.ztchat.server.store.ShardMove;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes on two PostgreSQL databases ({@code --store A,B}): bob's queue is on B, carol's
 * on A (the databases are given shard names that place them so). alice on node 1 reaches both live
 * and offline, each recipient's order and ack-before-delete hold, and a database that stops
 * answering refuses only its recipients' work while the other's keep being served; taking the
 * second database out ({@link ShardMove}, nodes stopped) leaves bob's queued envelopes to be
 * delivered from the home, once each and in order.
 */
class ShardedNodesIntegrationTest {
  private static DevPostgres postgres;

  @TempDir Path dir;
  private RelayNodes nodes;
  private TestPki pki;
  private String home;
  private String second;

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
    // a short pool_timeout, as docs/DEPLOYMENT.md advises for shards: the first operation that
    // meets a database before its probe noticed it gone waits no longer than that
    home = named(postgres.newDatabase() + "?pool_timeout=3", "home-1");
    second = named(postgres.newDatabase() + "?pool_timeout=3", "second-1");
    pki = TestPki.create("alice", "bob", "carol");
    nodes = RelayNodes.start(pki, dir, home + "," + second, 2);
  }

  /**
   * Creates the relay's tables in {@code url} and names it {@code name} on the ring: with the names
   * home-1 and second-1, bob's queue is on the second database and carol's on the home one.
   */
  private String named(String url, String name) throws Exception {
    OfflineQueue.open(QueueLimits.defaults(dir).withStore(url), Clock.systemUTC()).close();
    StoreSql.run(url, "UPDATE ztchat_shard SET name = '" + name + "', ring = NULL, home = NULL");
    return url;
  }

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private static int queued(String url, String recipient) throws Exception {
    return StoreSql.run(url, "SELECT 1 FROM queue WHERE recipient = '" + recipient + "'");
  }

  @Test
  void aliceOnNode1_reachesBobAndCarolOnNode2Live_eachInOrder_eachDeletedOnceAcknowledged()
      throws Exception {
    List<String> toBob = new ArrayList<>();
    List<String> toCarol = new ArrayList<>();
    try (RawFrameClient bob = nodes.connect(2, "bob");
        RawFrameClient carol = nodes.connect(2, "carol");
        RawFrameClient alice = nodes.connect(1, "alice")) {
      for (int i = 0; i < 15; i++) {
        toBob.add("alice/" + send(alice, "alice", "bob", DeliveryStatus.QUEUED));
        toCarol.add("alice/" + send(alice, "alice", "carol", DeliveryStatus.QUEUED));
      }
      assertThat(receive(bob, 15)).containsExactlyElementsOf(toBob);
      assertThat(receive(carol, 15)).containsExactlyElementsOf(toCarol);
      assertThat(nothingDelivered(bob, Duration.ofMillis(500))).as("nothing twice").isTrue();
      assertThat(nothingDelivered(carol, Duration.ofMillis(300))).isTrue();
    }
    assertThat(nodes.node(1).queueTotals().get(10, TimeUnit.SECONDS).messages()).isZero();
  }

  @Test
  void offlineBobAndCarol_eachFindTheirQueueOnItsOwnDatabase_inOrder_keptUntilAcknowledged()
      throws Exception {
    List<String> toBob = new ArrayList<>();
    List<String> toCarol = new ArrayList<>();
    try (RawFrameClient alice = nodes.connect(1, "alice")) {
      for (int i = 0; i < 5; i++) {
        toBob.add("alice/" + send(alice, "alice", "bob", DeliveryStatus.QUEUED));
        toCarol.add("alice/" + send(alice, "alice", "carol", DeliveryStatus.QUEUED));
      }
    }
    assertThat(queued(second, "bob")).isEqualTo(5);
    assertThat(queued(home, "bob")).isZero();
    assertThat(queued(home, "carol")).isEqualTo(5);
    assertThat(queued(second, "carol")).isZero();

    try (RawFrameClient bob = nodes.connect(2, "bob")) { // read, not acknowledged
      for (int i = 0; i < 5; i++) {
        assertThat(bob.read(Duration.ofSeconds(5))).isInstanceOf(Frame.Deliver.class);
      }
    }
    assertThat(queued(second, "bob")).as("kept until acknowledged").isEqualTo(5);
    try (RawFrameClient bob = nodes.connect(1, "bob");
        RawFrameClient carol = nodes.connect(2, "carol")) {
      assertThat(receive(bob, 5)).containsExactlyElementsOf(toBob);
      assertThat(receive(carol, 5)).containsExactlyElementsOf(toCarol);
      assertThat(nothingDelivered(bob, Duration.ofMillis(500))).isTrue();
    }
    awaitTrue(() -> queued(second, "bob") == 0 && queued(home, "carol") == 0);
  }

  @Test
  void aDatabaseThatStopsAnswering_refusesOnlyItsRecipients_andServesThemAgainOnceBack()
      throws Exception {
    String name = second.substring(second.lastIndexOf('/') + 1).split("\\?")[0];
    try (RawFrameClient alice = nodes.connect(1, "alice");
        RawFrameClient carol = nodes.connect(2, "carol")) {
      try {
        StoreSql.run(postgres.url(), "ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
        StoreSql.run(
            postgres.url(),
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                + name
                + "'");
        awaitTrue(() -> shardDown(nodes.node(1)).isPresent());
        assertThat(shardDown(nodes.node(1)).orElseThrow().shard()).contains(name);

        byte[] toBob = envelope("alice", "bob");
        alice.send(new Frame.Send("to-bob", toBob));
        Frame answer = alice.read(Duration.ofSeconds(10));
        assertThat(answer).isInstanceOf(Frame.Error.class);
        assertThat(((Frame.Error) answer).code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(((Frame.Error) answer).ref()).isEqualTo("to-bob");

        String toCarol = "alice/" + send(alice, "alice", "carol", DeliveryStatus.QUEUED);
        assertThat(receive(carol, 1)).containsExactly(toCarol);
      } finally {
        StoreSql.run(postgres.url(), "ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
      }
      awaitTrue(() -> shardDown(nodes.node(1)).isEmpty());
      try (RawFrameClient bob = nodes.connect(2, "bob")) {
        String again = "alice/" + send(alice, "alice", "bob", DeliveryStatus.QUEUED);
        assertThat(receive(bob, 1)).containsExactly(again);
      }
    }
  }

  @Test
  void takingTheSecondDatabaseOut_bobsQueuedEnvelopesComeFromTheHome_onceEach_inOrder()
      throws Exception {
    List<String> toBob = new ArrayList<>();
    List<String> toCarol = new ArrayList<>();
    try (RawFrameClient alice = nodes.connect(1, "alice")) {
      for (int i = 0; i < 5; i++) {
        toBob.add("alice/" + send(alice, "alice", "bob", DeliveryStatus.QUEUED));
        toCarol.add("alice/" + send(alice, "alice", "carol", DeliveryStatus.QUEUED));
      }
    }
    assertThat(queued(second, "bob")).isEqualTo(5);
    nodes.close(); // every node stopped, as docs/DEPLOYMENT.md says
    nodes = null;

    ShardMove.Moved moved =
        ShardMove.move(
            PostgresUrl.parseList(home),
            PostgresUrl.parseList(second),
            QueueLimits.defaults(dir),
            Clock.systemUTC(),
            ShardMove.Progress.NONE);

    assertThat(moved).isEqualTo(new ShardMove.Moved(1, 5));
    assertThat(queued(second, "bob")).isZero();
    nodes = RelayNodes.start(pki, dir.resolve("after"), home, 2);
    try (RawFrameClient bob = nodes.connect(2, "bob");
        RawFrameClient carol = nodes.connect(1, "carol")) {
      assertThat(receive(bob, 5)).containsExactlyElementsOf(toBob);
      assertThat(receive(carol, 5)).containsExactlyElementsOf(toCarol);
      assertThat(nothingDelivered(bob, Duration.ofMillis(500))).as("nothing twice").isTrue();
      assertThat(nothingDelivered(carol, Duration.ofMillis(300))).isTrue();
      try (RawFrameClient alice = nodes.connect(1, "alice")) {
        String next = "alice/" + send(alice, "alice", "bob", DeliveryStatus.QUEUED);
        assertThat(receive(bob, 1)).as("and what comes next").containsExactly(next);
      }
    }
    awaitTrue(() -> queued(home, "bob") == 0 && queued(home, "carol") == 0);
    assertThat(queued(second, "bob")).isZero();
  }

  private static Optional<StoreUnreachable> shardDown(RelayServer node) {
    return node.storeUnreachable().filter(u -> !u.shard().isEmpty());
  }

  @FunctionalInterface
  private interface Check {
    boolean holds() throws Exception;
  }

  private static void awaitTrue(Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!check.holds()) {
      assertThat(System.nanoTime() - deadline).as("in time").isNegative();
      Thread.sleep(100);
    }
  }
}
