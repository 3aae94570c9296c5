package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.nothingDelivered;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes on one PostgreSQL database, real TLS clients on each: a user on one node reaches
 * a user on the other live (woken by the database's NOTIFY) and offline (from the shared queue), in
 * order, each envelope delivered and deleted once, whichever node the acknowledgement reaches.
 */
class CrossNodeDeliveryIntegrationTest {
  /**
   * Well below the 15 s after which a node re-reads every queue anyway: an envelope arriving within
   * it was pushed by the wake-up, not found by the periodic re-read.
   */
  private static final Duration LIVE = Duration.ofSeconds(5);

  private static DevPostgres postgres;

  @TempDir Path dir;
  RelayNodes nodes;

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

  /** The database both nodes use, as {@code --store} takes it. */
  String database;

  @BeforeEach
  void start() throws Exception {
    database = postgres.newDatabase();
    nodes = RelayNodes.start(TestPki.create("alice", "bob", "carol"), dir, database, 2);
  }

  /**
   * Runs {@code sql} on the server's own database (not the nodes'), as its owner; the row count.
   */
  static int admin(String sql) throws Exception {
    return StoreSql.run(postgres.url(), sql);
  }

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  /** Sends one envelope from {@code sender}'s connection to {@code recipient}; returns its id. */
  static String send(RawFrameClient c, String sender, String recipient, DeliveryStatus expected)
      throws Exception {
    byte[] env = envelope(sender, recipient);
    c.send(new Frame.Send("s-" + idOf(env), env));
    Frame.Sent sent = c.expect(Frame.Sent.class);
    assertThat(sent.results()).containsExactly(new Frame.Delivery(recipient, expected));
    return idOf(env);
  }

  /**
   * Reads {@code count} deliveries, each within {@link #LIVE}, acknowledging each; returns them as
   * sender/id in arrival order.
   */
  static List<String> receive(RawFrameClient c, int count) throws Exception {
    List<String> got = new ArrayList<>();
    while (got.size() < count) {
      if (c.read(LIVE) instanceof Frame.Deliver d) {
        EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
        got.add(h.sender() + "/" + h.messageIdHex());
        c.send(new Frame.Ack("a" + got.size(), h.sender(), h.messageIdHex()));
      }
    }
    return got;
  }

  /** Whether {@code ok} to {@code ref} arrives (deliveries skipped) before an error does. */
  static boolean okTo(RawFrameClient c, String ref) throws Exception {
    while (true) {
      Frame f = c.read(LIVE);
      if (f instanceof Frame.Ok ok && ref.equals(ok.ref())) {
        return true;
      }
      if (f instanceof Frame.Error) {
        return false;
      }
    }
  }

  long stored() throws Exception {
    return nodes.node(1).queueTotals().get(10, TimeUnit.SECONDS).messages();
  }

  @Test
  void aliceOnNode1_reachesBobOnNode2Live_inOrder_andEachIsDeletedOnceAcknowledged()
      throws Exception {
    List<String> sent = new ArrayList<>();
    try (RawFrameClient bob = nodes.connect(2, "bob");
        RawFrameClient alice = nodes.connect(1, "alice")) {
      sent.add("alice/" + send(alice, "alice", "bob", DeliveryStatus.QUEUED));
      assertThat(receive(bob, 1)).as("pushed at once, not at a reconnect").isEqualTo(sent);
      for (int i = 0; i < 40; i++) {
        sent.add("alice/" + send(alice, "alice", "bob", DeliveryStatus.QUEUED));
      }
      List<String> got = new ArrayList<>(sent.subList(0, 1));
      got.addAll(receive(bob, 40));
      assertThat(got).containsExactlyElementsOf(sent);
      assertThat(nothingDelivered(bob, Duration.ofMillis(800))).as("nothing twice").isTrue();
    }
    assertThat(stored()).as("every acknowledged envelope deleted").isZero();
    for (int n = 1; n <= 2; n++) {
      try (RawFrameClient bob = nodes.connect(n, "bob")) {
        assertThat(nothingDelivered(bob, Duration.ofMillis(800))).isTrue();
      }
    }
  }

  @Test
  void anEnvelopeWhoseNoticeWasLost_reachesBob_whenNode2ListensAgain() throws Exception {
    String name = database.substring(database.lastIndexOf('/') + 1).split("\\?")[0];
    try (RawFrameClient bob = nodes.connect(2, "bob");
        RawFrameClient alice = nodes.connect(1, "alice")) {
      // the nodes keep their pooled connections, but cannot listen again for now
      admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
      try {
        assertThat(
                admin(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                        + name
                        + "' AND application_name = 'ztchat-relay-notices'"))
            .as("both nodes' listening connections, for envelopes, devices and certificates")
            .isEqualTo(6);
        String id = "alice/" + send(alice, "alice", "bob", DeliveryStatus.QUEUED);
        assertThat(nothingDelivered(bob, Duration.ofSeconds(2)))
            .as("nobody listened: the notice is lost")
            .isTrue();
        admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
        // listening again (within the back-off of at most 10 s), node 2 has bob read his queue
        Frame f = bob.read(Duration.ofSeconds(25));
        assertThat(f).isInstanceOf(Frame.Deliver.class);
        EnvelopeHeader h = EnvelopeCodec.decodeHeader(((Frame.Deliver) f).envelope());
        assertThat(h.sender() + "/" + h.messageIdHex()).isEqualTo(id);
      } finally {
        admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
      }
    }
  }

  @Test
  void sendersOnBothNodes_reachBobOnNode2_eachSendersOrderKept_eachEnvelopeOnce() throws Exception {
    List<String> fromAlice = new ArrayList<>();
    List<String> fromCarol = new ArrayList<>();
    try (RawFrameClient bob = nodes.connect(2, "bob");
        RawFrameClient alice = nodes.connect(1, "alice");
        RawFrameClient carol = nodes.connect(2, "carol")) {
      for (int i = 0; i < 20; i++) {
        fromAlice.add("alice/" + send(alice, "alice", "bob", DeliveryStatus.QUEUED));
        fromCarol.add("carol/" + send(carol, "carol", "bob", DeliveryStatus.QUEUED));
      }
      List<String> got = receive(bob, 40);
      assertThat(got.stream().filter(s -> s.startsWith("alice/")))
          .containsExactlyElementsOf(fromAlice);
      assertThat(got.stream().filter(s -> s.startsWith("carol/")))
          .containsExactlyElementsOf(fromCarol);
      assertThat(nothingDelivered(bob, Duration.ofMillis(800))).isTrue();
    }
    assertThat(stored()).isZero();
  }

  @Test
  void offlineBob_connectingToNode2_getsWhatAliceSentThroughNode1_inOrder_once() throws Exception {
    List<String> sent = new ArrayList<>();
    try (RawFrameClient alice = nodes.connect(1, "alice")) {
      for (int i = 0; i < 10; i++) {
        sent.add("alice/" + send(alice, "alice", "bob", DeliveryStatus.QUEUED));
      }
    }
    try (RawFrameClient bob = nodes.connect(2, "bob")) {
      assertThat(receive(bob, 10)).containsExactlyElementsOf(sent);
      assertThat(nothingDelivered(bob, Duration.ofMillis(800))).isTrue();
    }
    assertThat(stored()).isZero();
    try (RawFrameClient bob = nodes.connect(1, "bob")) {
      assertThat(nothingDelivered(bob, Duration.ofMillis(800))).isTrue();
    }
  }

  @Test
  void envelopePushedByNode1_acknowledgedThroughNode2_isDeleted() throws Exception {
    String id;
    try (RawFrameClient alice = nodes.connect(1, "alice");
        RawFrameClient bobOn1 = nodes.connect(1, "bob")) {
      id = send(alice, "alice", "bob", DeliveryStatus.QUEUED);
      Frame.Deliver d = bobOn1.expect(Frame.Deliver.class);
      assertThat(EnvelopeCodec.decodeHeader(d.envelope()).messageIdHex()).isEqualTo(id);
      try (RawFrameClient bobOn2 = nodes.connect(2, "bob")) {
        bobOn2.send(new Frame.Ack("ack-elsewhere", "alice", id));
        assertThat(okTo(bobOn2, "ack-elsewhere")).isTrue();
      }
    }
    assertThat(stored()).isZero();
    for (int n = 1; n <= 2; n++) {
      try (RawFrameClient bob = nodes.connect(n, "bob")) {
        assertThat(nothingDelivered(bob, Duration.ofMillis(800))).isTrue();
      }
    }
  }
}
