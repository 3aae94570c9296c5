package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.store.OfflineQueue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched acknowledgements over a real relay and real TLS (docs/PROTOCOL.md section 9, "Batched
 * acknowledgement"): one {@code acks} deletes what it names and gets one {@code ok}; a batch the
 * relay refuses is refused whole and deletes nothing, of its sender's queue or anyone else's; a
 * batch the store could not delete is answered {@code internal} and delivered again; clients that
 * acknowledge one envelope per {@code ack} keep working beside batching ones.
 */
class AckBatchIntegrationTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig config;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    config =
        relayConfig(pki, dir)
            .withRateLimit(ProtocolLimits.MAX_FRAMES_PER_SECOND, ProtocolLimits.MAX_FRAME_BURST);
    server = RelayServer.start(config);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  /** Stores {@code count} envelopes alice -> {@code recipient} while the relay is down. */
  List<String> backlog(String recipient, int count) throws Exception {
    server.close();
    List<String> ids = new ArrayList<>();
    try (OfflineQueue q = OfflineQueue.open(config.queue(), Clock.systemUTC())) {
      q.transaction(
          () -> {
            for (int i = 0; i < count; i++) {
              byte[] env = envelope("alice", recipient);
              q.enqueue(List.of(recipient), "alice", idOf(env), env);
              ids.add(idOf(env));
            }
          });
    }
    server = RelayServer.start(config);
    return ids;
  }

  /** The next {@code n} envelopes pushed to {@code c}, skipping other frames. */
  static List<Frame.AckedEnvelope> deliveries(RawFrameClient c, int n) throws Exception {
    List<Frame.AckedEnvelope> got = new ArrayList<>();
    while (got.size() < n) {
      if (c.read(PATIENCE) instanceof Frame.Deliver d) {
        EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
        got.add(new Frame.AckedEnvelope(h.sender(), h.messageIdHex()));
      }
    }
    return got;
  }

  static List<String> ids(List<Frame.AckedEnvelope> envelopes) {
    return envelopes.stream().map(Frame.AckedEnvelope::messageId).toList();
  }

  /** The answer to {@code ref} (any frame with that ref), skipping deliveries. */
  static Frame answer(RawFrameClient c, String ref) throws Exception {
    while (true) {
      Frame f = c.read(PATIENCE);
      if (ref.equals(f.ref())) {
        return f;
      }
    }
  }

  static Frame.AckedEnvelope alices(String id) {
    return new Frame.AckedEnvelope("alice", id);
  }

  @Test
  void welcome_announcesTheDeliveryWindowAsMaxAcks() throws Exception {
    try (RawFrameClient bob = connect("bob")) {
      assertThat(bob.welcome().maxAcks()).isEqualTo(DeliveryPump.WINDOW);
    }
  }

  @Test
  void aBatchPerWindow_getsOneOkEach_andNothingComesBackOnTheNextConnection() throws Exception {
    int n = DeliveryPump.WINDOW * 2 + 22;
    List<String> sent = backlog("bob", n);
    List<String> got = new ArrayList<>();
    try (RawFrameClient bob = connect("bob")) {
      // the relay pushes a window, then one more envelope for every one acknowledged
      List<Frame.AckedEnvelope> window = new ArrayList<>();
      List<String> oks = new ArrayList<>();
      int batches = 0;
      while (got.size() < n || oks.size() < batches) {
        Frame f = bob.read(PATIENCE);
        if (f instanceof Frame.Deliver d) {
          EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
          got.add(h.messageIdHex());
          window.add(new Frame.AckedEnvelope(h.sender(), h.messageIdHex()));
          if (window.size() == DeliveryPump.WINDOW || got.size() == n) {
            bob.send(new Frame.Acks("b" + ++batches, window));
            window = new ArrayList<>();
          }
        } else if (f instanceof Frame.Ok ok) {
          oks.add(ok.ref());
        }
      }
      assertThat(oks).containsExactly("b1", "b2", "b3");
      assertThat(got).containsExactlyElementsOf(sent);
      assertThat(RelayTestSupport.nothingDelivered(bob, Duration.ofSeconds(1))).isTrue();
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(RelayTestSupport.nothingDelivered(bob, Duration.ofSeconds(1)))
          .as("every envelope of a confirmed batch was deleted")
          .isTrue();
    }
  }

  @Test
  void eachBadBatch_isRefusedWhole_withItsError_theConnectionStaysOpen_nothingIsDeleted()
      throws Exception {
    List<String> sent = backlog("bob", 2);
    Frame.AckedEnvelope first = alices(sent.get(0));
    Frame.AckedEnvelope second = alices(sent.get(1));
    List<Frame.AckedEnvelope> tooMany = new ArrayList<>();
    for (int i = 0; i <= AckRules.MAX_BATCH; i++) {
      tooMany.add(alices(String.format("%032x", i)));
    }
    tooMany.set(0, first);
    try (RawFrameClient bob = connect("bob")) {
      assertThat(ids(deliveries(bob, 2))).containsExactlyElementsOf(sent);
      assertRefused(bob, "empty", List.of(), "acks names 1 to 64 envelopes, not 0");
      assertRefused(bob, "long", tooMany, "acks names 1 to 64 envelopes, not 65");
      assertRefused(
          bob,
          "name",
          List.of(first, new Frame.AckedEnvelope("Alice!", sent.get(1))),
          "envelope 2 of the acks needs a valid 'sender' and a 32-hex-digit 'messageId'");
      assertRefused(
          bob,
          "id",
          List.of(first, alices(sent.get(1).toUpperCase(java.util.Locale.ROOT))),
          "envelope 2 of the acks needs a valid 'sender' and a 32-hex-digit 'messageId'");
      assertRefused(
          bob,
          "twice",
          List.of(first, second, first),
          "envelope 3 of the acks names an envelope named before it");
      bob.sendFrame(
          ("{\"type\":\"acks\",\"ref\":\"shape\",\"envelopes\":[\"" + sent.get(0) + "\"]}")
              .getBytes(StandardCharsets.UTF_8));
      Frame.Error shape = (Frame.Error) answer(bob, "shape");
      assertThat(shape.code()).isEqualTo(ErrorCode.MALFORMED);
      assertThat(shape.message()).startsWith("member 'envelopes'");
      assertThat(bob.pingRoundTrip("still-open")).isPositive();
      assertThat(RelayTestSupport.nothingDelivered(bob, Duration.ofSeconds(1)))
          .as("a refused batch frees no window slot and pushes nothing again")
          .isTrue();
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(ids(deliveries(bob, 2)))
          .as("no refused batch deleted anything")
          .containsExactlyElementsOf(sent);
    }
  }

  static void assertRefused(
      RawFrameClient c, String ref, List<Frame.AckedEnvelope> batch, String message)
      throws Exception {
    c.send(new Frame.Acks(ref, batch));
    assertThat(answer(c, ref))
        .isEqualTo(
            new Frame.Error(ref, ErrorCode.MALFORMED, message + "; nothing was acknowledged"));
  }

  @Test
  void aBatchNamingAnotherUsersEnvelopes_deletesNothingOfTheirs_onlyItsOwn() throws Exception {
    List<String> forCarol = backlog("carol", 2);
    server.close();
    String forBob;
    try (OfflineQueue q = OfflineQueue.open(config.queue(), Clock.systemUTC())) {
      byte[] env = envelope("alice", "bob");
      forBob = idOf(env);
      q.enqueue(List.of("bob"), "alice", forBob, env);
    }
    server = RelayServer.start(config);
    try (RawFrameClient bob = connect("bob")) {
      assertThat(ids(deliveries(bob, 1))).containsExactly(forBob);
      bob.send(
          new Frame.Acks(
              "mixed",
              List.of(
                  alices(forCarol.get(0)),
                  alices(forBob),
                  alices(forCarol.get(1)),
                  alices("0".repeat(32)))));
      assertThat(answer(bob, "mixed")).isEqualTo(new Frame.Ok("mixed"));
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(RelayTestSupport.nothingDelivered(bob, Duration.ofSeconds(1)))
          .as("bob's own envelope went")
          .isTrue();
    }
    try (RawFrameClient carol = connect("carol")) {
      assertThat(ids(deliveries(carol, 2)))
          .as("carol's envelopes are untouched by bob's batch")
          .containsExactlyElementsOf(forCarol);
    }
  }

  @Test
  void aBatchTheStoreCannotDelete_isAnsweredInternal_andDeliveredAgain() throws Exception {
    List<String> sent = backlog("bob", 3);
    try (RawFrameClient bob = connect("bob")) {
      List<Frame.AckedEnvelope> got = deliveries(bob, 3);
      try (AutoCloseable lock = lockStore()) {
        bob.send(new Frame.Acks("locked", got)); // the delete waits out SQLite's busy timeout
        assertThat(answer(bob, "locked"))
            .isEqualTo(
                new Frame.Error(
                    "locked",
                    ErrorCode.INTERNAL,
                    "the server could not record the acknowledgement"));
      }
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(ids(deliveries(bob, 3)))
          .as("nothing of the unconfirmed batch was deleted")
          .containsExactlyElementsOf(sent);
    }
  }

  /** Holds the store's write lock until closed, as a stuck disk would. */
  AutoCloseable lockStore() throws Exception {
    Connection c =
        DriverManager.getConnection("jdbc:sqlite:" + config.queue().dataDir().resolve("relay.db"));
    c.createStatement().execute("BEGIN IMMEDIATE");
    return () -> {
      c.createStatement().execute("ROLLBACK");
      c.close();
    };
  }

  @Test
  void liveEnvelopesAcknowledgedInOneBatch_eachSenderHearsSent_thenTheBatchHearsOneOk()
      throws Exception {
    int n = 20;
    try (RawFrameClient bob = connect("bob");
        RawFrameClient alice = connect("alice")) {
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        byte[] env = envelope("alice", "bob");
        sent.add(idOf(env));
        alice.send(new Frame.Send("s" + i, env));
      }
      List<Frame.AckedEnvelope> got = deliveries(bob, n);
      assertThat(ids(got)).containsExactlyElementsOf(sent);
      bob.send(new Frame.Acks("all", got));
      assertThat(answer(bob, "all")).isEqualTo(new Frame.Ok("all"));
      java.util.Set<String> answered = new java.util.HashSet<>();
      while (answered.size() < n) {
        if (alice.read(PATIENCE) instanceof Frame.Sent s) {
          assertThat(s.results().getFirst().status().accepted()).isTrue();
          answered.add(s.ref());
        }
      }
      assertThat(RelayTestSupport.nothingDelivered(bob, Duration.ofSeconds(1))).isTrue();
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(RelayTestSupport.nothingDelivered(bob, Duration.ofSeconds(1))).isTrue();
    }
  }

  @Test
  void oneAckPerEnvelope_andBatches_onTwoRecipientsAtOnce_bothDrainExactlyOnce() throws Exception {
    int n = 150;
    try (RawFrameClient bob = connect("bob");
        RawFrameClient carol = connect("carol");
        RawFrameClient alice = connect("alice")) {
      CompletableFuture<List<String>> bobGot =
          CompletableFuture.supplyAsync(() -> drain(bob, n, false));
      CompletableFuture<List<String>> carolGot =
          CompletableFuture.supplyAsync(() -> drain(carol, n, true));
      List<String> toBob = new ArrayList<>();
      List<String> toCarol = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        byte[] b = envelope("alice", "bob");
        byte[] c = envelope("alice", "carol");
        toBob.add(idOf(b));
        toCarol.add(idOf(c));
        alice.send(new Frame.Send(null, b));
        alice.send(new Frame.Send(null, c));
      }
      assertThat(bobGot.join()).containsExactlyElementsOf(toBob);
      assertThat(carolGot.join()).containsExactlyElementsOf(toCarol);
    }
    for (String user : List.of("bob", "carol")) {
      try (RawFrameClient c = connect(user)) {
        assertThat(RelayTestSupport.nothingDelivered(c, Duration.ofSeconds(1)))
            .as("%s's queue is empty", user)
            .isTrue();
      }
    }
  }

  /**
   * Receives {@code n} envelopes, acknowledging them one {@code ack} each or in a batch of all that
   * one read of a few milliseconds brought, until every acknowledgement is confirmed.
   */
  static List<String> drain(RawFrameClient c, int n, boolean batches) {
    try {
      List<String> got = new ArrayList<>();
      List<Frame.AckedEnvelope> unacknowledged = new ArrayList<>();
      int asked = 0;
      int confirmed = 0;
      while (got.size() < n || confirmed < asked || !unacknowledged.isEmpty()) {
        Frame f;
        try {
          f = c.read(unacknowledged.isEmpty() ? PATIENCE : Duration.ofMillis(5));
        } catch (java.net.SocketTimeoutException quiet) {
          if (unacknowledged.isEmpty()) {
            throw new IllegalStateException("nothing arrived after " + got.size(), quiet);
          }
          f = null;
        }
        if (f instanceof Frame.Deliver d) {
          EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
          got.add(h.messageIdHex());
          if (batches) {
            unacknowledged.add(new Frame.AckedEnvelope(h.sender(), h.messageIdHex()));
          } else {
            c.send(new Frame.Ack("a" + ++asked, h.sender(), h.messageIdHex()));
          }
        } else if (f instanceof Frame.Ok) {
          confirmed++;
        }
        if (batches
            && !unacknowledged.isEmpty()
            && (f == null || unacknowledged.size() == DeliveryPump.WINDOW)) {
          c.send(new Frame.Acks("b" + ++asked, unacknowledged));
          unacknowledged = new ArrayList<>();
        }
      }
      return got;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
