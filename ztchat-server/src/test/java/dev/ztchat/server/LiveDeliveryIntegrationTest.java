package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.nothingDelivered;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envelopes for a recipient that is online are pushed from memory before the store writes them
 * (docs/PROTOCOL.md section 9). To see what happens before the write, another connection holds
 * SQLite's write lock on the relay's store, as a slow disk or a busy store would: the relay's store
 * thread then waits inside its first write, and everything queued behind it waits too.
 */
class LiveDeliveryIntegrationTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir Path dir;
  TestPki pki;
  RelayServer server;
  Path store;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    RelayServerConfig config =
        relayConfig(pki, dir)
            .withRateLimit(ProtocolLimits.MAX_FRAMES_PER_SECOND, ProtocolLimits.MAX_FRAME_BURST);
    server = RelayServer.start(config);
    store = config.queue().dataDir().resolve("relay.db");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  /**
   * Holds the store's write lock until closed. The relay's next write then waits (up to its 5 s
   * busy timeout) if it is the first statement of its transaction: SQLite refuses at once to turn a
   * transaction that has read into a writing one while another connection writes. So carol has had
   * an envelope stored before ({@link #storeOneForCarol}): the relay reads her usage once.
   */
  AutoCloseable lockStore() throws Exception {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + store);
    c.createStatement().execute("BEGIN IMMEDIATE");
    return () -> {
      c.createStatement().execute("ROLLBACK");
      c.close();
    };
  }

  int storedFor(String recipient) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT COUNT(*) FROM queue WHERE recipient = '" + recipient + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** The next frame of {@code type}, skipping others. */
  static <T extends Frame> T next(RawFrameClient c, Class<T> type) throws Exception {
    while (true) {
      Frame f = c.read(PATIENCE);
      if (type.isInstance(f)) {
        return type.cast(f);
      }
    }
  }

  /**
   * One message alice -> bob, delivered, acknowledged and confirmed: bob's connection has caught
   * up.
   */
  static void exchange(RawFrameClient alice, RawFrameClient bob) throws Exception {
    byte[] env = envelope("alice", "bob");
    alice.send(new Frame.Send("warm", env));
    Frame.Deliver d = next(bob, Frame.Deliver.class);
    bob.send(new Frame.Ack("warm", "alice", idOf(d.envelope())));
    next(bob, Frame.Ok.class);
    next(alice, Frame.Sent.class);
  }

  /**
   * bob writes to alice first, which makes him her contact: only then may she hear "delivered" for
   * him (docs/SECURITY.md, presence).
   */
  static void bobWritesToAlice(RawFrameClient bob) throws Exception {
    bob.send(new Frame.Send("intro", envelope("bob", "alice")));
    next(bob, Frame.Sent.class);
  }

  /** An envelope for carol (offline) stored and answered. */
  static void storeOneForCarol(RawFrameClient alice) throws Exception {
    alice.send(new Frame.Send("first", envelope("alice", "carol")));
    next(alice, Frame.Sent.class);
  }

  @Test
  void aLiveRecipientsAck_settlesTheEnvelopeWhileTheStoreIsBusy_andItIsNeverWritten()
      throws Exception {
    try (RawFrameClient alice = connect("alice");
        RawFrameClient bob = connect("bob")) {
      bobWritesToAlice(bob);
      exchange(alice, bob);
      storeOneForCarol(alice);
      byte[] forCarol = envelope("alice", "carol");
      byte[] forBob = envelope("alice", "bob");
      try (AutoCloseable lock = lockStore()) {
        alice.send(new Frame.Send("c", forCarol)); // the store thread now waits for the lock
        alice.send(new Frame.Send("b", forBob));

        Frame.Deliver d = next(bob, Frame.Deliver.class);
        assertThat(idOf(d.envelope())).isEqualTo(idOf(forBob));
        bob.send(new Frame.Ack("a", "alice", idOf(forBob)));
        assertThat(next(bob, Frame.Ok.class).ref()).isEqualTo("a");
        Frame.Sent sent = next(alice, Frame.Sent.class);
        assertThat(sent.ref())
            .as("bob's answer comes first: carol's still waits for the store")
            .isEqualTo("b");
        assertThat(sent.results())
            .containsExactly(new Frame.Delivery("bob", DeliveryStatus.DELIVERED));
      }
      Frame.Sent carol = next(alice, Frame.Sent.class);
      assertThat(carol.ref()).isEqualTo("c");
      assertThat(carol.results())
          .containsExactly(new Frame.Delivery("carol", DeliveryStatus.QUEUED));
      exchange(alice, bob); // the store has passed bob's envelope by now
      assertThat(storedFor("bob")).isZero();
      assertThat(storedFor("carol")).isEqualTo(2);
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(nothingDelivered(bob, Duration.ofSeconds(1))).as("nothing redelivered").isTrue();
    }
  }

  @Test
  void anEnvelopeStillOnItsWayThroughTheStore_isDeliveredBeforeALaterOneFromMemory()
      throws Exception {
    try (RawFrameClient alice = connect("alice");
        RawFrameClient bob = connect("bob")) {
      exchange(alice, bob);
      storeOneForCarol(alice);
      byte[] both = envelope("alice", "bob", "carol"); // two recipients: through the store
      byte[] bobOnly = envelope("alice", "bob");
      try (AutoCloseable lock = lockStore()) {
        alice.send(new Frame.Send("c", envelope("alice", "carol"))); // the store thread now waits
        alice.send(new Frame.Send("both", both));
        alice.send(new Frame.Send("bob", bobOnly));
        assertThat(nothingDelivered(bob, Duration.ofSeconds(1)))
            .as("the later envelope waits for the earlier one, still in the store")
            .isTrue();
      }
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        String id = idOf(next(bob, Frame.Deliver.class).envelope());
        got.add(id);
        bob.send(new Frame.Ack("a" + i, "alice", id));
      }
      assertThat(got).containsExactly(idOf(both), idOf(bobOnly));
      assertThat(nothingDelivered(bob, Duration.ofSeconds(1))).as("each once").isTrue();
    }
  }

  @Test
  void aLivePushThatIsNotAcknowledged_isWrittenAndRedeliveredOnTheNextConnection()
      throws Exception {
    byte[] env = envelope("alice", "bob");
    try (RawFrameClient alice = connect("alice")) {
      try (RawFrameClient bob = connect("bob")) {
        bobWritesToAlice(bob);
        exchange(alice, bob);
        alice.send(new Frame.Send("s", env));
        assertThat(idOf(next(bob, Frame.Deliver.class).envelope())).isEqualTo(idOf(env));
        Frame.Sent sent =
            next(alice, Frame.Sent.class); // only once it is written, as bob never acks
        assertThat(sent.results())
            .containsExactly(new Frame.Delivery("bob", DeliveryStatus.DELIVERED));
        assertThat(storedFor("bob")).isEqualTo(1);
      }
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(idOf(next(bob, Frame.Deliver.class).envelope())).isEqualTo(idOf(env));
      bob.send(new Frame.Ack("a", "alice", idOf(env)));
      next(bob, Frame.Ok.class);
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(nothingDelivered(bob, Duration.ofSeconds(1))).isTrue();
    }
  }

  @Test
  void anAckTheSenderCanNoLongerHearOf_isNotConfirmed_andTheSendersRetryIsDeliveredAgain()
      throws Exception {
    byte[] env = envelope("alice", "bob");
    try (RawFrameClient bob = connect("bob")) {
      try (RawFrameClient alice = connect("alice")) {
        exchange(alice, bob);
        storeOneForCarol(alice);
        try (AutoCloseable lock = lockStore()) {
          alice.send(new Frame.Send("c", envelope("alice", "carol"))); // the store thread now waits
          alice.send(new Frame.Send("s", env));
          assertThat(idOf(next(bob, Frame.Deliver.class).envelope())).isEqualTo(idOf(env));
          // alice goes and never hears "sent": she keeps the envelope and will send it again
          alice.shutdownOutput();
          assertThat(alice.closedWithin(PATIENCE))
              .as("the relay saw alice go and closed its side")
              .isTrue();
          bob.send(new Frame.Ack("a", "alice", idOf(env)));
          assertThat(bob.silentFor(Duration.ofSeconds(1)))
              .as(
                  "no ok: the relay could not tell the sender, so a retry must look like a"
                      + " redelivery")
              .isTrue();
        }
      }
      try (RawFrameClient alice = connect("alice")) {
        alice.send(new Frame.Send("again", env)); // the very same bytes, as section 9 requires
        assertThat(idOf(next(bob, Frame.Deliver.class).envelope())).isEqualTo(idOf(env));
        bob.send(new Frame.Ack("b", "alice", idOf(env)));
        assertThat(next(bob, Frame.Ok.class).ref()).isEqualTo("b");
        assertThat(next(alice, Frame.Sent.class).ref()).isEqualTo("again");
      }
    }
  }
}
