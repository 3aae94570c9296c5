package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.Promtool;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.core.transport.TlsSettings;
import dev.ztchat.server.ops.AdminHttpServer;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener on a real relay with real traffic: /metrics in Prometheus text that {@code
 * promtool check metrics} accepts and that counts what happened, /livez, and /readyz turning
 * unready when the revocation list goes stale on the relay's clock.
 */
class AdminListenerIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  MutableClock clock;
  RelayServer server;
  AdminHttpServer admin;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    clock = MutableClock.atRealNow();
    server = RelayServer.start(relayConfig(pki, dir), TlsSettings.provider(), clock);
    admin = AdminHttpServer.start(server, "127.0.0.1", 0, 0);
  }

  @AfterEach
  void stop() {
    admin.close();
    server.close();
  }

  HttpResponse<String> get(String path) throws Exception {
    return new AdminClient(admin.port()).get(path);
  }

  @Test
  void metrics_afterRealTraffic_countWhatHappened_andPassPromtool() throws Exception {
    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      for (int i = 0; i < 3; i++) {
        alice.send(new Frame.Send("s" + i, envelope("alice", "bob")));
        assertThat(alice.expect(Frame.Sent.class).results())
            .containsExactly(new Frame.Delivery("bob", DeliveryStatus.QUEUED));
      }
    }
    try (Socket notTls = new Socket("127.0.0.1", server.port())) {
      OutputStream out = notTls.getOutputStream();
      out.write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(10),
                  () -> server.securityLog().count(SecurityEvent.HANDSHAKE_FAILED) == 1))
          .isTrue();
    }
    String queued = get("/metrics").body();
    assertThat(queued)
        .contains("ztchat_queue_messages 3.0")
        .contains("ztchat_queue_recipients 1.0")
        .contains("ztchat_messages_accepted_total 3.0")
        .contains("ztchat_security_events_total{event=\"HANDSHAKE_FAILED\"} 1.0")
        .contains("ztchat_handshakes_total{outcome=\"failed\"} 1.0")
        .contains("ztchat_handshakes_total{outcome=\"ok\"} 1.0")
        .as("a SQLite store is always reachable")
        .contains("ztchat_store_reachable 1.0")
        .contains("ztchat_store_outages_total 0.0");

    try (RawFrameClient bob = RelayTestSupport.connectWelcomed(server, pki, "bob")) {
      int oks = 0;
      for (int delivered = 0; delivered < 3 || oks < 3; ) {
        Frame f = bob.read();
        if (f instanceof Frame.Deliver d) {
          EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
          bob.send(new Frame.Ack("a" + delivered++, h.sender(), h.messageIdHex()));
        } else if (f instanceof Frame.Ok) {
          oks++;
        }
      }
      HttpResponse<String> r = get("/metrics");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
      assertThat(r.body())
          .contains("ztchat_messages_delivered_total 3.0")
          .contains("ztchat_queue_messages 0.0")
          .contains("ztchat_connections 1.0")
          .contains("ztchat_frames_received_total")
          .contains("ztchat_store_transaction_seconds_count")
          .contains("ztchat_rate_limit_actions_total{action=\"throttled\"} 0.0")
          .contains("ztchat_crl_next_update_remaining_seconds")
          .contains("ztchat_crl_age_seconds")
          .contains("ztchat_certificate_expiry_remaining_seconds{certificate=\"server\"}")
          .contains("jvm_memory_used_bytes")
          .as("no identity in any metric")
          .doesNotContain("alice")
          .doesNotContain("bob");
      Promtool.assertAccepts(r.body());
      everyMetricNamedIn(Path.of("..", "docs", "OPERATIONS.md"), r.body());
      everyMetricNamedIn(Path.of("..", "deploy", "grafana-ztchat-relay.json"), r.body());
    }
  }

  /** The operations guide and the dashboard name only metrics the relay exports. */
  static void everyMetricNamedIn(Path doc, String metrics) throws Exception {
    Matcher m = Pattern.compile("ztchat_[a-z_]+[a-z]").matcher(Files.readString(doc));
    Set<String> named = new TreeSet<>();
    while (m.find()) {
      named.add(m.group());
    }
    assertThat(named).as("metric names in %s", doc).isNotEmpty();
    for (String name : named) {
      assertThat(metrics)
          .as("%s names %s", doc, name)
          .containsPattern("(?m)^" + name + "(_bucket|_count|_sum)?[ {]");
    }
  }

  @Test
  void readyz_isReady_thenUnready_whenTheCrlPassesItsNextUpdate() throws Exception {
    HttpResponse<String> fresh = get("/readyz");
    assertThat(fresh.statusCode()).as(fresh.body()).isEqualTo(200);
    assertThat(fresh.body()).startsWith("ready\n").contains("ok   crl: fresh until");

    clock.advance(Duration.ofDays(8)); // the test CA's list is fresh for 7 days

    HttpResponse<String> stale = get("/readyz");
    assertThat(stale.statusCode()).isEqualTo(503);
    assertThat(stale.body())
        .startsWith("not ready\n")
        .contains("FAIL crl: stale since")
        .contains("ok   store")
        .contains("ok   server certificate");
    assertThat(get("/metrics").body()).contains("ztchat_crl_next_update_remaining_seconds -");
  }

  @Test
  void livez_answers_andAnythingElseIsRefused() throws Exception {
    assertThat(get("/livez").statusCode()).isEqualTo(200);
    assertThat(get("/etc/passwd").statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }
}
