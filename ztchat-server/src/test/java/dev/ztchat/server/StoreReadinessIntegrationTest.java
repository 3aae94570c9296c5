package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.ops.AdminHttpServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay node on PostgreSQL tells its load balancer and its monitoring when it loses the database:
 * {@code /readyz} answers 503 naming the reason while the node refuses clients for it, and 200
 * again once the database is back, without a restart; {@code ztchat_store_reachable} follows, and
 * {@code ztchat_store_outages_total} counts the outage.
 */
class StoreReadinessIntegrationTest {
  /** Long enough for the node's probe (every second) to see the database go or come back. */
  private static final Duration PROBE_SEES_IT = Duration.ofSeconds(30);

  private static DevPostgres postgres;
  private static PostgresServerControl server;

  @TempDir Path dir;
  RelayNodes nodes;
  AdminHttpServer admin;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = DevPostgres.start();
    server = PostgresServerControl.of(postgres.url());
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @AfterEach
  void stop() {
    if (admin != null) {
      admin.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void databaseStopped_readyzIs503NamingIt_andTheGaugeIs0_untilItIsBack() throws Exception {
    TestPki pki = TestPki.create("carol");
    nodes = RelayNodes.start(pki, dir, postgres.newDatabase(), 1);
    admin = AdminHttpServer.start(nodes.node(1), "127.0.0.1", 0, 0);
    AdminClient ops = new AdminClient(admin.port());
    HttpResponse<String> before = ops.get("/readyz");
    assertThat(before.statusCode()).as(before.body()).isEqualTo(200);
    assertThat(before.body()).contains("ok   store");
    assertThat(ops.get("/metrics").body())
        .contains("ztchat_store_reachable 1.0")
        .contains("ztchat_store_outages_total 0.0");

    server.stop();
    try {
      // Until the probe has seen it, /readyz is 503 too, as the store's totals do not come back
      HttpResponse<String> lost =
          ops.getUntil("/readyz", 503, "cannot reach its database", PROBE_SEES_IT);

      assertThat(lost.statusCode()).as(lost.body()).isEqualTo(503);
      assertThat(lost.body())
          .startsWith("not ready\n")
          .containsPattern("FAIL store: the relay cannot reach its database since \\S+Z \\(.+\\)")
          .contains("refuses clients until it answers")
          .contains("ok   crl");
      assertThat(ops.get("/metrics").body())
          .contains("ztchat_store_reachable 0.0")
          .contains("ztchat_store_outages_total 1.0");
      try (RawFrameClient carol =
          RawFrameClient.connect(
              nodes.node(1).port(), pki.user("carol").signing(), pki.ca().certificate())) {
        assertThat(carol.read(Duration.ofSeconds(10)))
            .as("what /readyz says, the node does: it refuses clients")
            .isInstanceOfSatisfying(
                Frame.Error.class,
                e -> assertThat(e.message()).contains("cannot reach its database"));
      }
    } finally {
      server.start();
    }

    HttpResponse<String> back = ops.getUntil("/readyz", 200, PROBE_SEES_IT);
    assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    assertThat(back.body()).startsWith("ready\n").contains("ok   store");
    assertThat(ops.get("/metrics").body())
        .contains("ztchat_store_reachable 1.0")
        .as("the outage stays counted")
        .contains("ztchat_store_outages_total 1.0");
  }
}
