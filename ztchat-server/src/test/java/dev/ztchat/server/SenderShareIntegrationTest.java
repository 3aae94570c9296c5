package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No sender can fill more than its share of a recipient's queue (docs/PROTOCOL.md section 9). */
class SenderShareIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    RelayServerConfig config = relayConfig(pki, dir);
    // 8 envelopes for bob in all; by default a quarter of that, 2, from any one sender
    server = RelayServer.start(config.withQueue(config.queue().withQuota(8, 1 << 20)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static DeliveryStatus send(RawFrameClient from, String sender, String to) throws Exception {
    from.send(new Frame.Send("s", envelope(sender, to)));
    return from.expect(Frame.Sent.class).results().getFirst().status();
  }

  @Test
  void senderOverItsShare_getsFull_whileAnotherSenderIsStillQueued() throws Exception {
    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice");
        RawFrameClient carol = RelayTestSupport.connectWelcomed(server, pki, "carol")) {
      assertThat(send(alice, "alice", "bob")).isEqualTo(DeliveryStatus.QUEUED);
      assertThat(send(alice, "alice", "bob")).isEqualTo(DeliveryStatus.QUEUED);
      assertThat(send(alice, "alice", "bob")).isEqualTo(DeliveryStatus.FULL);
      assertThat(send(carol, "carol", "bob")).isEqualTo(DeliveryStatus.QUEUED);
      // alice's share is per recipient: carol's queue still takes hers
      assertThat(send(alice, "alice", "carol")).isEqualTo(DeliveryStatus.QUEUED);
    }
  }
}
