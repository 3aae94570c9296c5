package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.nothingDelivered;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.WrappedKey;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.core.transport.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay keeps an envelope no longer than its recipient would accept it: until the earlier of
 * its TTL and the header's time plus the receivers' acceptance window (docs/PROTOCOL.md section 9),
 * and it announces its TTL in {@code welcome}. Time moves by a shifted clock, not by waiting.
 */
class QueueExpiryIntegrationTest {
  private static final Duration WINDOW = AcceptancePolicy.DEFAULT_WINDOW;

  @TempDir Path dir;
  final MutableClock clock = MutableClock.followingSystem();
  TestPki pki;
  RelayServerConfig config;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    config = relayConfig(pki, dir);
    server = RelayServer.start(config, TlsSettings.provider(), clock);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  /** A well-formed envelope alice -> bob whose header says it was sealed at {@code sealedAt}. */
  static byte[] sealedAt(Instant sealedAt) {
    return EnvelopeCodec.encode(
        new SealedEnvelope(
            new EnvelopeHeader(
                1, "alice", List.of("bob"), sealedAt.toEpochMilli(), RelayTestSupport.random(16)),
            List.of(
                new WrappedKey("bob", RelayTestSupport.random(32), RelayTestSupport.random(256))),
            RelayTestSupport.random(12),
            RelayTestSupport.random(64),
            RelayTestSupport.random(256)));
  }

  @Test
  void welcome_announcesTheQueueTtl() throws Exception {
    try (RawFrameClient alice =
        RawFrameClient.connect(
            server.port(), pki.user("alice").signing(), pki.ca().certificate())) {
      Frame.Welcome w = alice.expect(Frame.Welcome.class);
      assertThat(w.queueTtlSeconds()).isEqualTo(config.queue().ttl().toSeconds());
    }
  }

  @Test
  void envelopeSealedAlmostAWindowAgo_expiresWhenTheWindowPasses_thoughTheTtlHasNot()
      throws Exception {
    byte[] old = sealedAt(clock.instant().minus(WINDOW).plus(Duration.ofHours(1)));
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Send("s1", old));
      assertThat(alice.expect(Frame.Sent.class).results())
          .containsExactly(new Frame.Delivery("bob", DeliveryStatus.QUEUED));
    }
    clock.advance(Duration.ofHours(2)); // past header time + window; the 7-day TTL is far off
    try (RawFrameClient bob = connect("bob")) {
      assertThat(nothingDelivered(bob, Duration.ofMillis(800))).isTrue();
    }
  }

  @Test
  void envelopeStillInsideTheWindow_isDelivered() throws Exception {
    byte[] old = sealedAt(clock.instant().minus(WINDOW).plus(Duration.ofHours(3)));
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Send("s1", old));
      alice.expect(Frame.Sent.class);
    }
    clock.advance(Duration.ofHours(2));
    try (RawFrameClient bob = connect("bob")) {
      assertThat(bob.expect(Frame.Deliver.class).envelope()).isEqualTo(old);
    }
  }

  @Test
  void envelopeAlreadyPastTheWindow_isNotStored_andTheSenderIsTold() throws Exception {
    byte[] stale = sealedAt(clock.instant().minus(WINDOW).minus(Duration.ofMinutes(1)));
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Send("s1", stale));
      Frame.Error e = alice.expect(Frame.Error.class);
      assertThat(e.ref()).isEqualTo("s1");
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_ENVELOPE);
      assertThat(e.message()).contains("expired");
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(nothingDelivered(bob, Duration.ofMillis(800))).isTrue();
    }
  }
}
