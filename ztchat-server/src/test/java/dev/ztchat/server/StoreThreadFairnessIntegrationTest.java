package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.core.transport.TlsSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store thread keeps order per recipient only (issue: an envelope pushed from memory waits out
 * its grace period before the store writes it, and nothing unrelated may wait with it). The relay's
 * store runs on a monotonic clock that the test holds still once the connections are warm: a live
 * envelope's grace period then never ends, so anything that waits behind it would wait for ever.
 */
class StoreThreadFairnessIntegrationTest {

  @TempDir Path dir;
  TestPki pki;
  RelayServer server;
  Path store;

  /** The store's monotonic time: the real one until {@link #holdStoreTime}, then held still. */
  final AtomicLong heldAt = new AtomicLong(0);

  long storeNanos() {
    long held = heldAt.get();
    return held != 0 ? held : System.nanoTime();
  }

  void holdStoreTime() {
    heldAt.set(System.nanoTime());
  }

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "dave", "mallory");
    RelayServerConfig config =
        relayConfig(pki, dir)
            .withRateLimit(ProtocolLimits.MAX_FRAMES_PER_SECOND, ProtocolLimits.MAX_FRAME_BURST);
    server = RelayServer.start(config, TlsSettings.provider(), Clock.systemUTC(), this::storeNanos);
    store = config.queue().dataDir().resolve("relay.db");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  static <T extends Frame> T next(RawFrameClient c, Class<T> type) throws Exception {
    return LiveDeliveryIntegrationTest.next(c, type);
  }

  @Test
  void anUnrelatedSend_isAnsweredWhileALiveEnvelopeWaitsOutItsGracePeriod() throws Exception {
    try (RawFrameClient alice = connect("alice");
        RawFrameClient bob = connect("bob");
        RawFrameClient carol = connect("carol")) {
      LiveDeliveryIntegrationTest.bobWritesToAlice(bob);
      LiveDeliveryIntegrationTest.exchange(alice, bob); // bob has caught up: pushes from memory

      holdStoreTime();
      byte[] forBob = envelope("alice", "bob");
      alice.send(new Frame.Send("live", forBob));
      Frame.Deliver pushed = next(bob, Frame.Deliver.class); // from memory; bob does not ack yet
      assertThat(idOf(pushed.envelope())).isEqualTo(idOf(forBob));

      // dave is offline: his envelope has nothing to wait for but the store
      carol.send(new Frame.Send("offline", envelope("carol", "dave")));
      Frame.Sent sent = next(carol, Frame.Sent.class);
      assertThat(sent.ref()).isEqualTo("offline");
      assertThat(sent.results())
          .singleElement()
          .extracting(Frame.Delivery::status)
          .isEqualTo(DeliveryStatus.QUEUED);

      // and the live envelope is still settled by bob's ack, never written
      bob.send(new Frame.Ack("a", "alice", idOf(forBob)));
      assertThat(next(bob, Frame.Ok.class).ref()).isEqualTo("a");
      assertThat(next(alice, Frame.Sent.class).ref()).isEqualTo("live");
    }
  }

  @Test
  void aLaterEnvelopeForTheSameRecipient_waitsBehindTheLiveOne_andArrivesAfterIt()
      throws Exception {
    try (RawFrameClient alice = connect("alice");
        RawFrameClient bob = connect("bob");
        RawFrameClient carol = connect("carol")) {
      LiveDeliveryIntegrationTest.bobWritesToAlice(bob);
      LiveDeliveryIntegrationTest.exchange(alice, bob);

      holdStoreTime();
      byte[] first = envelope("alice", "bob");
      byte[] second = envelope("carol", "bob", "dave"); // two recipients: always via the store
      alice.send(new Frame.Send("1", first));
      assertThat(idOf(next(bob, Frame.Deliver.class).envelope())).isEqualTo(idOf(first));
      carol.send(new Frame.Send("2", second));
      assertThat(RelayTestSupport.nothingDelivered(bob, Duration.ofMillis(300))).isTrue();

      heldAt.addAndGet(Duration.ofSeconds(1).toNanos()); // the grace period is over
      assertThat(next(carol, Frame.Sent.class).ref()).isEqualTo("2");
      assertThat(idOf(next(bob, Frame.Deliver.class).envelope())).isEqualTo(idOf(second));
    }
  }

  @Test
  void oneChangeTheStoreRefuses_failsAlone_andTheRestOfItsBatchIsStored() throws Exception {
    try (RawFrameClient alice = connect("alice");
        RawFrameClient mallory = connect("mallory")) {
      LiveDeliveryIntegrationTest.storeOneForCarol(alice);
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store);
          Statement s = c.createStatement()) {
        // a fault in the real store for one sender's envelopes only
        s.execute(
            "CREATE TRIGGER refuse_mallory BEFORE INSERT ON queue WHEN NEW.sender = 'mallory'"
                + " BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
      }
      try (AutoCloseable lock = lockStore()) {
        alice.send(new Frame.Send("first", envelope("alice", "carol"))); // the store waits here
        mallory.send(new Frame.Send("refused", envelope("mallory", "dave")));
        alice.send(new Frame.Send("stored", envelope("alice", "dave")));
        Thread.sleep(300); // both reach the relay while its store waits: they share the next batch
      }
      assertThat(next(alice, Frame.Sent.class).ref()).isEqualTo("first");
      Frame.Error refused = next(mallory, Frame.Error.class);
      assertThat(refused.ref()).isEqualTo("refused");
      assertThat(refused.code()).isEqualTo(ErrorCode.INTERNAL);
      Frame.Sent stored = next(alice, Frame.Sent.class);
      assertThat(stored.ref()).isEqualTo("stored");
      assertThat(stored.results())
          .singleElement()
          .extracting(Frame.Delivery::status)
          .isEqualTo(DeliveryStatus.QUEUED);
    }
  }

  /** Holds the store's write lock until closed (see LiveDeliveryIntegrationTest.lockStore). */
  AutoCloseable lockStore() throws Exception {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + store);
    c.createStatement().execute("BEGIN IMMEDIATE");
    return () -> {
      c.createStatement().execute("ROLLBACK");
      c.close();
    };
  }
}
