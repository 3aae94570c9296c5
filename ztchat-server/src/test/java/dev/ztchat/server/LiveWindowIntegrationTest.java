package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.store.OfflineQueue;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live window a connection announces in {@code features} (docs/PROTOCOL.md section 9): more
 * than the default 64 envelopes pushed before any ack when it asked for more, exactly 64 when it
 * did not, and never more than the relay's bounds in envelopes or in bytes.
 */
class LiveWindowIntegrationTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig config;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    config =
        relayConfig(pki, dir)
            .withRateLimit(ProtocolLimits.MAX_FRAMES_PER_SECOND, ProtocolLimits.MAX_FRAME_BURST);
    server = RelayServer.start(config);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Stores {@code count} envelopes alice -> bob while the relay is down; returns their ids. */
  List<String> backlog(int count, int ciphertextBytes) throws Exception {
    server.close();
    List<String> ids = new ArrayList<>();
    try (OfflineQueue q = OfflineQueue.open(config.queue(), Clock.systemUTC())) {
      q.transaction(
          () -> {
            for (int i = 0; i < count; i++) {
              byte[] env = envelope("alice", ciphertextBytes, "bob");
              q.enqueue(List.of("bob"), "alice", idOf(env), env);
              ids.add(idOf(env));
            }
          });
    }
    server = RelayServer.start(config);
    return ids;
  }

  /** Bob's connection; {@code window} announced in {@code features} unless it is null. */
  RawFrameClient bob(Integer window) throws Exception {
    RawFrameClient bob = RelayTestSupport.connectWelcomed(server, pki, "bob");
    if (window != null) {
      bob.send(new Frame.Features("f", false, window));
    }
    return bob;
  }

  /** Every envelope pushed without an ack, until nothing more comes for a second. */
  static List<String> unacknowledgedPushes(RawFrameClient c) throws Exception {
    List<String> got = new ArrayList<>();
    try {
      while (true) {
        if (c.read(got.isEmpty() ? PATIENCE : Duration.ofSeconds(1)) instanceof Frame.Deliver d) {
          got.add(idOf(d.envelope()));
        }
      }
    } catch (SocketTimeoutException quiet) {
      return got;
    }
  }

  @Test
  void connectionThatAnnouncedALargerWindow_getsThatManyPushedBeforeAnAck() throws Exception {
    List<String> sent = backlog(400, 256);
    try (RawFrameClient bob = bob(300)) {
      assertThat(unacknowledgedPushes(bob)).containsExactlyElementsOf(sent.subList(0, 300));
    }
  }

  @Test
  void connectionThatAnnouncedNoWindow_getsExactlyTheDefault() throws Exception {
    List<String> sent = backlog(200, 256);
    try (RawFrameClient bob = bob(0)) {
      assertThat(unacknowledgedPushes(bob))
          .containsExactlyElementsOf(sent.subList(0, DeliveryPump.WINDOW));
    }
    try (RawFrameClient bob = bob(null)) {
      assertThat(unacknowledgedPushes(bob))
          .containsExactlyElementsOf(sent.subList(0, DeliveryPump.WINDOW));
    }
  }

  @Test
  void windowAboveTheBound_isClamped_andOneBelowTheDefaultGetsTheDefault() throws Exception {
    List<String> sent = backlog(DeliveryPump.MAX_WINDOW + 100, 256);
    try (RawFrameClient bob = bob(Integer.MAX_VALUE)) {
      assertThat(unacknowledgedPushes(bob))
          .containsExactlyElementsOf(sent.subList(0, DeliveryPump.MAX_WINDOW));
    }
    try (RawFrameClient bob = bob(-5)) {
      assertThat(unacknowledgedPushes(bob))
          .containsExactlyElementsOf(sent.subList(0, DeliveryPump.WINDOW));
    }
  }

  @Test
  void largeEnvelopes_stopAtTheByteBound_butNeverBelowTheDefaultWindow() throws Exception {
    int ciphertext = 8 * 1024;
    List<String> sent = backlog(DeliveryPump.MAX_WINDOW, ciphertext);
    try (RawFrameClient bob = bob(DeliveryPump.MAX_WINDOW)) {
      List<String> got = unacknowledgedPushes(bob);
      // 64 always; beyond that only while fewer than WINDOW_BYTES are in flight
      int most = DeliveryPump.WINDOW_BYTES / ciphertext + 1;
      assertThat(got.size()).isGreaterThan(DeliveryPump.WINDOW).isLessThanOrEqualTo(most);
      assertThat(got).containsExactlyElementsOf(sent.subList(0, got.size()));
      // an ack frees room for the next in order
      bob.send(new Frame.Ack("one", "alice", got.getFirst()));
      Frame next;
      do {
        next = bob.read(PATIENCE);
      } while (!(next instanceof Frame.Deliver));
      assertThat(idOf(((Frame.Deliver) next).envelope())).isEqualTo(sent.get(got.size()));
    }
  }
}
