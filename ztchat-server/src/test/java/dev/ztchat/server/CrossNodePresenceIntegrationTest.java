package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presence across two relay nodes on one PostgreSQL database: {@code who} on node 1 lists a contact
 * connected to node 2, a send through node 1 to that contact says {@code delivered} as on one node,
 * and a node that stopped beating (killed, cut off) counts for nobody.
 */
class CrossNodePresenceIntegrationTest {
  /** Longer than a presence write takes, far shorter than a node's expiry (20 s). */
  private static final Duration SETTLE = Duration.ofSeconds(10);

  private static DevPostgres postgres;

  @TempDir Path dir;
  RelayNodes nodes;
  String database;

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
    database = postgres.newDatabase();
    nodes = RelayNodes.start(TestPki.create("alice", "bob", "carol"), dir, database, 2);
  }

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  static List<String> who(RawFrameClient c) throws Exception {
    c.send(new Frame.Who("w"));
    return c.expect(Frame.Online.class).users();
  }

  static DeliveryStatus send(RawFrameClient from, String sender, String to) throws Exception {
    from.send(new Frame.Send("s", envelope(sender, to)));
    return from.expect(Frame.Sent.class).results().getFirst().status();
  }

  /** {@code who} from {@code c}, asked until it equals {@code expected} or {@link #SETTLE} ends. */
  static List<String> whoSettled(RawFrameClient c, List<String> expected) throws Exception {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    List<String> seen = who(c);
    while (!seen.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      seen = who(c);
    }
    return seen;
  }

  /** Bob, connected to node 2, writes to carol: bob is her contact from now on. */
  static void bobWritesToCarol(RawFrameClient bob) throws Exception {
    assertThat(send(bob, "bob", "carol")).isEqualTo(DeliveryStatus.QUEUED);
  }

  @Test
  void carolOnNode1_seesBobOnNode2_andHearsDelivered_whileBobIsConnected() throws Exception {
    try (RawFrameClient carol = nodes.connect(1, "carol")) {
      try (RawFrameClient bob = nodes.connect(2, "bob")) {
        bobWritesToCarol(bob);
        assertThat(carol.expect(Frame.Deliver.class)).isNotNull();
        assertThat(whoSettled(carol, List.of("bob", "carol"))).containsExactly("bob", "carol");
        assertThat(send(carol, "carol", "bob")).isEqualTo(DeliveryStatus.DELIVERED);
      }
      assertThat(whoSettled(carol, List.of("carol")))
          .as("bob's last connection closed")
          .containsExactly("carol");
      assertThat(send(carol, "carol", "bob")).isEqualTo(DeliveryStatus.QUEUED);
    }
  }

  @Test
  void aliceOnNode1_neverWrittenToByBob_doesNotSeeBobOnNode2() throws Exception {
    try (RawFrameClient alice = nodes.connect(1, "alice");
        RawFrameClient carol = nodes.connect(1, "carol");
        RawFrameClient bob = nodes.connect(2, "bob")) {
      bobWritesToCarol(bob);
      assertThat(whoSettled(carol, List.of("bob", "carol"))).containsExactly("bob", "carol");
      assertThat(who(alice)).containsExactly("alice");
      assertThat(send(alice, "alice", "bob")).isEqualTo(DeliveryStatus.QUEUED);
    }
  }

  @Test
  void bobListedOnlyByANodeThatStoppedBeating_isOffline() throws Exception {
    try (RawFrameClient carol = nodes.connect(1, "carol")) {
      try (RawFrameClient bob = nodes.connect(2, "bob")) {
        bobWritesToCarol(bob);
      }
      assertThat(whoSettled(carol, List.of("carol"))).containsExactly("carol");
      // a node killed a minute ago: its rows were never removed, but its heartbeat stopped
      StoreSql.run(
          database,
          "INSERT INTO relay_nodes (node, heartbeat) VALUES ('dead', now() - interval '1 minute')");
      StoreSql.run(database, "INSERT INTO relay_presence (node, identity) VALUES ('dead', 'bob')");
      assertThat(who(carol)).containsExactly("carol");
      assertThat(send(carol, "carol", "bob")).isEqualTo(DeliveryStatus.QUEUED);
      // the same row under a node that beats now counts
      StoreSql.run(database, "UPDATE relay_nodes SET heartbeat = now() WHERE node = 'dead'");
      assertThat(who(carol)).containsExactly("bob", "carol");
    }
  }

  @Test
  void aNodeClosing_takesItsUsersOffline_atOnce() throws Exception {
    try (RawFrameClient carol = nodes.connect(1, "carol");
        RawFrameClient bob = nodes.connect(2, "bob")) {
      bobWritesToCarol(bob);
      assertThat(whoSettled(carol, List.of("bob", "carol"))).containsExactly("bob", "carol");
      nodes.node(2).close();
      assertThat(who(carol)).containsExactly("carol");
      assertThat(StoreSql.run(database, "SELECT 1 FROM relay_presence")).isEqualTo(1);
    }
  }
}
