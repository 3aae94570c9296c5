package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.HostileRelay;
import dev.ztchat.core.testkit.Polling;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay that floods or sends oversized frames cannot exhaust the client's memory: the client
 * stops reading while its queue of received envelopes is long, and closes on a frame larger than
 * any genuine one (docs/PROTOCOL.md section 3).
 */
class HostileRelayIntegrationTest {
  static TestPki pki;
  @TempDir Path dir;

  @BeforeAll
  static void pki() {
    pki = TestPki.create("alice", "bob");
  }

  /** A genuine-looking envelope from alice to bob, as a {@code deliver} frame of about 3.5 KB. */
  static byte[] deliverFromAlice() {
    var sealed =
        new RsaOaepAesGcmSealer(pki.user("alice"), Clock.systemUTC())
            .seal(
                MessageContent.text("x".repeat(2_000)),
                List.of(new RecipientKey("bob", pki.user("bob").encryption().certificate())));
    return FrameCodec.encode(new Frame.Deliver(EnvelopeCodec.encode(sealed)));
  }

  static int bound() {
    return 2 * RelayConnection.PAUSE_READING_AT;
  }

  @Test
  void floodOfDeliveries_whileEnvelopesWaitForProcessing_pausesReading_andKeepsTheQueueBounded()
      throws Exception {
    try (HostileRelay relay = HostileRelay.silent(pki.server(), pki.ca().certificate(), null);
        ChatClient bob =
            ChatClient.connect(
                ChatClientConfig.of(
                    "localhost",
                    relay.port(),
                    pki.user("bob"),
                    pki.ca().certificate(),
                    dir.resolve("b")),
                new Inbox())) {
      // bob opens the first envelope and asks the directory for alice, which this relay never
      // answers: everything pushed meanwhile waits in bob's queue.
      relay.flood(deliverFromAlice(), 3_000);
      RelayConnection conn = bob.connection();
      assertThat(Polling.eventually(Duration.ofSeconds(20), conn::readingPaused))
          .as("reading paused; queued now: " + conn.unprocessedDeliveries())
          .isTrue();
      assertThat(Polling.eventually(Duration.ofSeconds(20), relay::stalled))
          .as("the relay has more to push than the client takes in")
          .isTrue();
      assertThat(conn.unprocessedDeliveries()).isLessThanOrEqualTo(bound());
      assertThat(conn.readingPaused()).isTrue();
      assertThat(relay.pushed())
          .as("the relay wrote more than the client took in")
          .isGreaterThan(conn.unprocessedDeliveries());
    }
  }

  @Test
  void queueThatDrains_resumesReading_andEveryEnvelopeArrivesOnce() throws Exception {
    try (HostileRelay relay = HostileRelay.silent(pki.server(), pki.ca().certificate(), null);
        RelayConnection conn =
            RelayConnection.connect(
                "localhost", relay.port(), pki.user("bob").signing(), pki.ca().certificate())) {
      AtomicInteger received = new AtomicInteger();
      Semaphore arrived = new Semaphore(0);
      conn.onDelivery(
          envelope -> { // not processed until the test says so
            received.incrementAndGet();
            arrived.release();
          });
      int total = 1_000;
      relay.flood(deliverFromAlice(), total);
      assertThat(Polling.eventually(Duration.ofSeconds(20), conn::readingPaused)).isTrue();
      assertThat(received.get()).isLessThan(total).isLessThanOrEqualTo(bound());

      int processed = 0;
      while (processed < total && arrived.tryAcquire(60, TimeUnit.SECONDS)) {
        assertThat(conn.unprocessedDeliveries()).isLessThanOrEqualTo(bound());
        conn.deliveryProcessed();
        processed++;
      }
      assertThat(processed).isEqualTo(total);
      assertThat(received.get()).isEqualTo(total);
      // the last resume runs on the connection's event loop, just after the last processed one
      assertThat(Polling.eventually(Duration.ofSeconds(5), () -> !conn.readingPaused())).isTrue();
    }
  }

  @Test
  void deliverFrameLargerThanAnyGenuineOne_closesTheConnection_withTheReason() throws Exception {
    try (HostileRelay relay = HostileRelay.silent(pki.server(), pki.ca().certificate(), null);
        RelayConnection conn =
            RelayConnection.connect(
                "localhost", relay.port(), pki.user("bob").signing(), pki.ca().certificate())) {
      AtomicReference<Throwable> why = new AtomicReference<>();
      List<byte[]> delivered = new CopyOnWriteArrayList<>();
      conn.onDelivery(delivered::add);
      conn.onClose(t -> why.set(t == null ? new IOException("closed without a reason") : t));
      // 60 KB: under the protocol's 65536, but no envelope that fit a 16384-byte send (the
      // maxFrame the hostile relay announces, the default) is this large
      relay.push(FrameCodec.encode(new Frame.Deliver(new byte[45_000])));

      assertThat(Polling.eventually(Duration.ofSeconds(10), () -> !conn.isOpen()))
          .as("closed")
          .isTrue();
      assertThat(Polling.eventually(Duration.ofSeconds(5), () -> why.get() != null)).isTrue();
      assertThat(why.get().getMessage()).contains("larger than").contains("maxFrame of 16384");
      assertThat(delivered).isEmpty();
    }
  }

  @Test
  void largeFrameBeforeTheWelcome_failsTheConnect_withTheReason() throws Exception {
    byte[] huge =
        ("{\"type\":\"welcome\",\"protocol\":1,\"identity\":\"bob\",\"maxFrame\":4096,"
                + "\"idleTimeoutSeconds\":60,\"pad\":\""
                + "p".repeat(20_000)
                + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(huge.length).isLessThan(ProtocolLimits.CLIENT_MAX_INBOUND_FRAME);
    try (HostileRelay relay = HostileRelay.silent(pki.server(), pki.ca().certificate(), huge)) {
      assertThatThrownBy(
              () ->
                  RelayConnection.connect(
                          "localhost",
                          relay.port(),
                          pki.user("bob").signing(),
                          pki.ca().certificate())
                      .close())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("limit is " + RelayConnection.BEFORE_WELCOME_MAX_FRAME);
    }
  }
}
