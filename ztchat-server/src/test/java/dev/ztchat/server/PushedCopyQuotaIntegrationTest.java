package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.core.transport.TlsSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An envelope pushed from memory to its recipient's live connection, and not acknowledged within
 * the grace period, is written to the store even when the sender's share of the recipient's queue
 * is used up (docs/PROTOCOL.md section 9): the recipient holds it, so "full" would tell its sender
 * that a message that arrived did not, and the sender's retry would arrive a second time. The
 * relay's store runs on a clock the test moves, so the grace period ends when the test says.
 */
class PushedCopyQuotaIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  /** The store's monotonic time, moved by the test only. */
  final AtomicLong storeNanos = new AtomicLong(1);

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    RelayServerConfig config = relayConfig(pki, dir);
    // 8 envelopes for bob in all; a quarter of that, 2, from any one sender
    server =
        RelayServer.start(
            config.withQueue(config.queue().withQuota(8, 1 << 20)),
            TlsSettings.provider(),
            Clock.systemUTC(),
            storeNanos::get);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aCopyPushedToItsRecipient_isStoredBeyondTheSendersShare_andNeverAnsweredFull()
      throws Exception {
    List<String> ids = new ArrayList<>();
    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice");
        RawFrameClient bob = RelayTestSupport.connectWelcomed(server, pki, "bob")) {
      LiveDeliveryIntegrationTest.exchange(alice, bob); // bob has caught up: pushes from memory
      for (int i = 0; i < 3; i++) {
        byte[] env = envelope("alice", "bob");
        alice.send(new Frame.Send("m" + i, env));
        Frame.Deliver pushed = LiveDeliveryIntegrationTest.next(bob, Frame.Deliver.class);
        assertThat(idOf(pushed.envelope())).isEqualTo(idOf(env));
        ids.add(idOf(env));
        // bob does not acknowledge: the grace period ends and the store claims the pushed copy
        storeNanos.addAndGet(Duration.ofSeconds(1).toNanos());
        Frame.Sent sent = LiveDeliveryIntegrationTest.next(alice, Frame.Sent.class);
        assertThat(sent.ref()).isEqualTo("m" + i);
        assertThat(sent.results())
            .singleElement()
            .extracting(Frame.Delivery::status)
            .isNotEqualTo(DeliveryStatus.FULL);
      }
    }
    // bob went away without acknowledging: all three are stored, and come again, in order
    try (RawFrameClient bob = RelayTestSupport.connectWelcomed(server, pki, "bob")) {
      List<String> again = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        again.add(idOf(LiveDeliveryIntegrationTest.next(bob, Frame.Deliver.class).envelope()));
      }
      assertThat(again).isEqualTo(ids);
    }
  }
}
