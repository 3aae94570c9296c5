package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.nothingDelivered;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay nodes on PostgreSQL when things break: the database stops (the nodes tell their clients and
 * refuse new ones, and serve again when it is back, without a restart), the database restarts under
 * load (nothing accepted is lost, nothing acknowledged comes back), and a node process is killed
 * with SIGKILL while it holds unacknowledged envelopes (the other node delivers them, once).
 */
class StoreFaultsIntegrationTest {
  /** Long enough for a node to see the database back (probe every second, back-off to 10 s). */
  private static final Duration RECOVERY = Duration.ofSeconds(30);

  private static DevPostgres postgres;
  private static PostgresServerControl server;

  @TempDir Path dir;
  TestPki pki;
  String database;
  RelayNodes nodes;
  Process child;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = DevPostgres.start();
    server = PostgresServerControl.of(postgres.url());
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    database = postgres.newDatabase();
  }

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
    if (child != null) {
      child.destroyForcibly();
    }
  }

  /** Reads until the relay's ref-less error, skipping anything else; that error. */
  static Frame.Error goodbye(RawFrameClient c) throws Exception {
    while (true) {
      if (c.read(Duration.ofSeconds(10)) instanceof Frame.Error e && e.ref() == null) {
        return e;
      }
    }
  }

  static void assertIsStoreOutage(Frame.Error e) {
    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(e.message()).contains("cannot reach its database").contains("another relay");
  }

  /** {@code user} on node {@code n}, once the node lets users in again (within RECOVERY). */
  RawFrameClient connectWhenServing(int n, String user) throws Exception {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    while (true) {
      RawFrameClient c =
          RawFrameClient.connectWelcomedOrRefused(
              "127.0.0.1", nodes.node(n).port(), pki.user(user).signing(), pki.ca().certificate());
      if (c != null) {
        return c;
      }
      assertThat(System.nanoTime()).as("node " + n + " serves again").isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  /** Reads {@code count} deliveries, acknowledging each; their ids in arrival order. */
  static List<String> receiveAcknowledged(RawFrameClient c, int count) throws Exception {
    List<String> got = new ArrayList<>();
    while (got.size() < count) {
      if (c.read(Duration.ofSeconds(10)) instanceof Frame.Deliver d) {
        EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
        got.add(h.messageIdHex());
        c.send(new Frame.Ack("a" + h.messageIdHex(), h.sender(), h.messageIdHex()));
      }
    }
    return got;
  }

  @Test
  void databaseStopped_nodesTellAndCloseTheirClients_refuseNewOnes_andServeAgainWhenItIsBack()
      throws Exception {
    nodes = RelayNodes.start(pki, dir, database, 2);
    RawFrameClient alice = nodes.connect(1, "alice");
    RawFrameClient bob = nodes.connect(2, "bob");
    server.stop();
    try {
      assertIsStoreOutage(goodbye(alice));
      assertIsStoreOutage(goodbye(bob));
      assertThat(alice.closedWithin(Duration.ofSeconds(5))).isTrue();
      assertThat(bob.closedWithin(Duration.ofSeconds(5))).isTrue();
      try (RawFrameClient carol =
          RawFrameClient.connect(
              nodes.node(1).port(), pki.user("carol").signing(), pki.ca().certificate())) {
        Frame first = carol.read(Duration.ofSeconds(10));
        assertThat(first).isInstanceOf(Frame.Error.class);
        assertIsStoreOutage((Frame.Error) first);
        assertThat(carol.closedWithin(Duration.ofSeconds(5))).isTrue();
      }
    } finally {
      alice.close();
      bob.close();
      server.start();
    }
    try (RawFrameClient aliceAgain = connectWhenServing(1, "alice");
        RawFrameClient bobAgain = connectWhenServing(2, "bob")) {
      byte[] env = envelope("alice", "bob");
      aliceAgain.send(new Frame.Send("s", env));
      assertThat(aliceAgain.expect(Frame.Sent.class).results().getFirst().status().accepted())
          .isTrue();
      assertThat(receiveAcknowledged(bobAgain, 1)).containsExactly(idOf(env));
    }
  }

  /** {@code user} on whichever node lets users in first (within RECOVERY). */
  RawFrameClient connectToAnyNode(String user) throws Exception {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    for (int n = 1; ; n = 3 - n) {
      try {
        RawFrameClient c =
            RawFrameClient.connectWelcomedOrRefused(
                "127.0.0.1",
                nodes.node(n).port(),
                pki.user(user).signing(),
                pki.ca().certificate());
        if (c != null) {
          return c;
        }
      } catch (IOException e) {
        // refused or timed out: the other node, or this one in a moment
      }
      assertThat(System.nanoTime()).as("a node serves " + user).isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  /**
   * Bob, connected to any node and moving to another when his is closed, acknowledging every
   * delivery; records what he got, what the relay confirmed deleted ({@code ok}), and every
   * delivery of an envelope already confirmed.
   */
  final class Receiver implements Runnable {
    final Set<String> got = ConcurrentHashMap.newKeySet();
    final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    final List<String> afterConfirmed = new CopyOnWriteArrayList<>();
    volatile boolean stop;

    @Override
    public void run() {
      while (!stop) {
        try (RawFrameClient bob = connectToAnyNode("bob")) {
          while (!stop) {
            Frame f;
            try {
              f = bob.read(Duration.ofMillis(500));
            } catch (SocketTimeoutException e) {
              continue;
            }
            if (f instanceof Frame.Deliver d) {
              EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
              String id = h.messageIdHex();
              if (confirmed.contains(id)) {
                afterConfirmed.add(id);
              }
              got.add(id);
              bob.send(new Frame.Ack("a" + id, h.sender(), id));
            } else if (f instanceof Frame.Ok ok && ok.ref() != null && ok.ref().startsWith("a")) {
              confirmed.add(ok.ref().substring(1));
            }
          }
        } catch (Exception | AssertionError e) {
          // closed under him (the database went away): he connects again
        }
      }
    }
  }

  /**
   * Sends {@code env} from alice until a node answers {@code sent}, connecting again (to any node)
   * whenever hers is closed; returns her connection and whether the envelope had to be sent again
   * after an answer that may have come after its commit.
   */
  RawFrameClient sendUntilAccepted(RawFrameClient alice, byte[] env, Set<String> resent)
      throws Exception {
    String id = idOf(env);
    RawFrameClient c = alice;
    while (true) {
      try {
        c.send(new Frame.Send("s" + id, env));
        while (true) {
          Frame f = c.read(Duration.ofSeconds(10));
          if (f instanceof Frame.Sent sent && ("s" + id).equals(sent.ref())) {
            assertThat(sent.results().getFirst().status().accepted()).isTrue();
            return c;
          }
          if (f instanceof Frame.Error e) {
            if (e.code() == ErrorCode.RATE_LIMITED) {
              Thread.sleep(300); // refused before anything was stored
            } else {
              resent.add(id); // failed, or the relay is going away: perhaps after the commit
            }
            break;
          }
        }
        if (c.closedWithin(Duration.ofMillis(1))) {
          throw new IOException("closed");
        }
      } catch (IOException e) {
        resent.add(id);
        c.close();
        c = connectToAnyNode("alice");
      }
    }
  }

  @Test
  void databaseRestartedUnderLoad_losesNothingAccepted_andDeliversNothingAcknowledgedAgain()
      throws Exception {
    nodes = RelayNodes.start(pki, dir, database, 2);
    Receiver receiver = new Receiver();
    Thread receiving = Thread.ofPlatform().start(receiver);
    List<String> accepted = new ArrayList<>();
    Set<String> resent = ConcurrentHashMap.newKeySet();
    Thread restart = null;
    RawFrameClient alice = nodes.connect(1, "alice");
    try {
      for (int i = 0; i < 80; i++) {
        if (i == 30) {
          restart =
              Thread.ofPlatform()
                  .start(
                      () -> {
                        try {
                          server.stop();
                          Thread.sleep(1000);
                          server.start();
                        } catch (Exception e) {
                          throw new IllegalStateException(e);
                        }
                      });
        }
        byte[] env = envelope("alice", "bob");
        alice = sendUntilAccepted(alice, env, resent);
        accepted.add(idOf(env));
      }
      restart.join();
      long deadline = System.nanoTime() + RECOVERY.toNanos();
      while (!receiver.confirmed.containsAll(accepted) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    } finally {
      alice.close();
      receiver.stop = true;
      receiving.join(5000);
      if (restart != null) {
        restart.join();
      }
    }
    assertThat(resent).as("the restart did break the flow").isNotEmpty();
    assertThat(receiver.got).as("nothing accepted is lost").containsAll(accepted);
    assertThat(receiver.confirmed).containsAll(accepted);
    assertThat(receiver.afterConfirmed)
        .as("delivered again after its deletion was confirmed: only if alice sent it again")
        .allMatch(resent::contains);
    try (RawFrameClient bob = connectToAnyNode("bob")) {
      assertThat(nothingDelivered(bob, Duration.ofSeconds(1))).as("all deleted").isTrue();
    }
  }

  Process startChildNode(int port) throws Exception {
    Path nodeDir = dir.resolve("child");
    RelayServerConfig c = RelayTestSupport.relayConfig(pki, nodeDir);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            RelayServerProcess.class.getName(),
            c.certs().root().toString(),
            nodeDir.resolve("data").toString(),
            String.valueOf(port),
            database);
    pb.redirectError(dir.resolve("child.log").toFile());
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("READY")) {
      // log lines before the node is ready
    }
    assertThat(line).as("node process started").startsWith("READY");
    Thread.ofVirtual().start(() -> out.lines().forEach(l -> {})); // keep its stdout drained
    return p;
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void nodeKilledWhileHoldingUnacknowledgedEnvelopes_theOtherNodeDeliversThemOnce_inOrder()
      throws Exception {
    nodes = RelayNodes.start(pki, dir, database, 1);
    int port = freePort();
    child = startChildNode(port);
    List<String> sent = new ArrayList<>();
    try (RawFrameClient alice = nodes.connect(1, "alice");
        RawFrameClient bobOnChild =
            RawFrameClient.connectWelcomed(
                "127.0.0.1", port, pki.user("bob").signing(), pki.ca().certificate())) {
      for (int i = 0; i < 20; i++) {
        byte[] env = envelope("alice", "bob");
        alice.send(new Frame.Send("s" + i, env));
        assertThat(alice.expect(Frame.Sent.class).results().getFirst().status().accepted())
            .isTrue();
        sent.add(idOf(env));
      }
      List<String> pushed = new ArrayList<>();
      while (pushed.size() < sent.size()) { // pushed by the child node, never acknowledged
        if (bobOnChild.read(Duration.ofSeconds(10)) instanceof Frame.Deliver d) {
          pushed.add(EnvelopeCodec.decodeHeader(d.envelope()).messageIdHex());
        }
      }
      assertThat(pushed).containsExactlyElementsOf(sent);
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
      assertThat(bobOnChild.closedWithin(Duration.ofSeconds(5))).isTrue();
      for (int i = 0; i < 5; i++) { // and the other node goes on accepting meanwhile
        byte[] env = envelope("alice", "bob");
        alice.send(new Frame.Send("t" + i, env));
        alice.expect(Frame.Sent.class);
        sent.add(idOf(env));
      }
    }
    try (RawFrameClient bob = nodes.connect(1, "bob")) {
      assertThat(receiveAcknowledged(bob, sent.size())).containsExactlyElementsOf(sent);
      assertThat(nothingDelivered(bob, Duration.ofSeconds(1))).as("nothing twice").isTrue();
    }
    try (RawFrameClient bob = nodes.connect(1, "bob")) {
      assertThat(nothingDelivered(bob, Duration.ofSeconds(1))).as("all deleted").isTrue();
    }
  }
}
