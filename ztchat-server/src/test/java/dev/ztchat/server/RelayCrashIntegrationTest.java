package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.store.OfflineQueue;
import dev.ztchat.server.store.QueueLimits;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay as a separate process, killed with SIGKILL mid-stream: nothing accepted is lost. */
class RelayCrashIntegrationTest {
  @TempDir Path dir;
  Process server;

  @AfterEach
  void kill() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  Process startServer(Path certs, Path data, int port) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            RelayServerProcess.class.getName(),
            certs.toString(),
            data.toString(),
            String.valueOf(port));
    pb.redirectError(dir.resolve("server-" + System.nanoTime() + ".log").toFile());
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("READY")) {
      // log lines before the server is ready
    }
    assertThat(line).as("server process started").startsWith("READY");
    Thread.ofVirtual().start(() -> out.lines().forEach(l -> {})); // keep its stdout drained
    return p;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void relayKilledMidStream_deliversEveryAcceptedMessageExactlyOnceAfterRestart() throws Exception {
    TestPki pki = TestPki.create("alice", "bob");
    Path certs = dir.resolve("certs");
    pki.writeTo(certs);
    Path data = dir.resolve("data");
    int port = freePort();
    server = startServer(certs, data, port);

    List<String> accepted = new ArrayList<>();
    try (RawFrameClient alice =
        RawFrameClient.connect(port, pki.user("alice").signing(), pki.ca().certificate())) {
      alice.expect(Frame.Welcome.class);
      for (int i = 0; i < 400; i++) {
        byte[] env = envelope("alice", "bob");
        if (i == 120) {
          // SIGKILL while a send is in flight: it may or may not have been committed
          alice.send(new Frame.Send("s" + i, env));
          server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          break;
        }
        alice.send(new Frame.Send("s" + i, env));
        Frame.Sent sent = alice.expect(Frame.Sent.class);
        assertThat(sent.results().getFirst().status().accepted()).isTrue();
        accepted.add(EnvelopeCodec.decodeHeader(env).messageIdHex());
      }
    } catch (IOException e) {
      // the connection died with the server: expected
    }
    assertThat(accepted).hasSize(120);

    server = startServer(certs, data, port);
    List<String> order = drainAsBob(pki, port);
    Map<String, Integer> seen = new HashMap<>();
    order.forEach(id -> seen.merge(id, 1, Integer::sum));
    assertThat(seen.keySet()).containsAll(accepted);
    assertThat(seen.values()).as("no message delivered twice").allMatch(n -> n == 1);
    assertThat(order.subList(0, accepted.size()))
        .as("in the order sent")
        .containsExactlyElementsOf(accepted);
    assertThat(seen.size())
        .as("at most the one in flight is extra")
        .isLessThanOrEqualTo(accepted.size() + 1);
  }

  @Test
  void relayKilledWhileAcksCommit_neverRedeliversAnAckItConfirmed() throws Exception {
    TestPki pki = TestPki.create("alice", "bob");
    Path certs = dir.resolve("certs");
    pki.writeTo(certs);
    Path data = dir.resolve("data");
    List<String> stored = new ArrayList<>();
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(data), Clock.systemUTC())) {
      q.transaction(
          () -> {
            for (int i = 0; i < 600; i++) {
              byte[] env = envelope("alice", "bob");
              String id = messageId(env);
              q.enqueue(List.of("bob"), "alice", id, env);
              stored.add(id);
            }
          });
    }
    int port = freePort();
    server = startServer(certs, data, port);

    // bob acknowledges every envelope at once; the relay dies after some of the acks were confirmed
    Map<String, String> refs = new HashMap<>();
    List<String> confirmed = new ArrayList<>();
    try (RawFrameClient bob =
        RawFrameClient.connect(port, pki.user("bob").signing(), pki.ca().certificate())) {
      bob.expect(Frame.Welcome.class);
      while (confirmed.size() < 200) {
        Frame f = bob.read(Duration.ofSeconds(30));
        if (f instanceof Frame.Deliver d) {
          EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
          String ref = "a" + refs.size();
          refs.put(ref, h.messageIdHex());
          bob.send(new Frame.Ack(ref, h.sender(), h.messageIdHex()));
        } else if (f instanceof Frame.Ok ok) {
          confirmed.add(refs.get(ok.ref()));
        }
      }
      server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      // the connection died with the server: expected
    }

    server = startServer(certs, data, port);
    List<String> redelivered = drainAsBob(pki, port);
    assertThat(redelivered)
        .as("an ok is only sent once the delete is durable")
        .doesNotContainAnyElementsOf(confirmed);
    List<String> notConfirmed = new ArrayList<>(stored);
    notConfirmed.removeAll(confirmed);
    List<String> neverAcknowledged = new ArrayList<>(stored);
    neverAcknowledged.removeAll(refs.values());
    assertThat(notConfirmed).as("redelivered in order, each once").containsSubsequence(redelivered);
    assertThat(redelivered).as("nothing unacknowledged is lost").containsAll(neverAcknowledged);
  }

  /** How long the restarted relay may take to push its first envelope. */
  private static final Duration FIRST_PUSH_WITHIN = Duration.ofSeconds(30);

  static String messageId(byte[] envelope) throws IOException {
    try {
      return EnvelopeCodec.decodeHeader(envelope).messageIdHex();
    } catch (MalformedEnvelopeException e) {
      throw new IOException(e);
    }
  }

  /**
   * Connects as bob, acknowledges every envelope pushed, until 2 s pass quietly after the first (a
   * relay just restarted on a loaded machine may take longer than that to push it); the ids in
   * order.
   */
  private static List<String> drainAsBob(TestPki pki, int port) throws Exception {
    List<String> delivered = new ArrayList<>();
    try (RawFrameClient bob =
        RawFrameClient.connect(port, pki.user("bob").signing(), pki.ca().certificate())) {
      bob.expect(Frame.Welcome.class);
      while (true) {
        Frame f;
        try {
          f = bob.read(delivered.isEmpty() ? FIRST_PUSH_WITHIN : Duration.ofSeconds(2));
        } catch (SocketTimeoutException e) {
          return delivered;
        }
        if (f instanceof Frame.Deliver d) {
          EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
          delivered.add(h.messageIdHex());
          bob.send(new Frame.Ack(null, h.sender(), h.messageIdHex()));
        }
      }
    }
  }
}
