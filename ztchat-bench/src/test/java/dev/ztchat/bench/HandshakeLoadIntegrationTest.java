package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.server.RelayServer;
import dev.ztchat.server.aot.HandshakeLoad;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The handshake load counts each handshake the relay accepted once, by second of the run and by
 * second since an earlier origin (a server process's start), so a server that listens late is
 * charged for the seconds before it listened.
 */
class HandshakeLoadIntegrationTest {
  @Test
  void handshakes_countedSinceAnEarlierOrigin_leaveTheSecondsBeforeTheLoadEmpty() throws Exception {
    try (BenchPki pki = BenchPki.create(2048)) {
      pki.users(List.of("alice0"));
      SslContext tls = Dialer.clientContext(pki.user("alice0").signing(), pki.caCertificate());
      try (RelayServer relay = InProcessRelay.start(pki)) {
        long origin = System.nanoTime() - TimeUnit.SECONDS.toNanos(3);

        HandshakeLoad.Result r =
            HandshakeLoad.run(relay.port(), tls, 2, Duration.ofSeconds(2), origin);

        assertThat(r.completed()).isPositive();
        assertThat(r.failed()).isZero();
        assertThat(r.eachSecond()).hasSize(2);
        assertThat(r.sinceOrigin().subList(0, 3)).containsOnly(0);
        assertThat(sum(r.sinceOrigin())).isEqualTo(r.completed());
        assertThat(sum(r.eachSecond())).isEqualTo(r.completed());
        assertThat(r.rateSinceOrigin(0, 3)).isZero();
      }
    }
  }

  @Test
  void withoutAnOrigin_theSecondsSinceTheOriginAreTheSecondsOfTheRun() throws Exception {
    try (BenchPki pki = BenchPki.create(2048)) {
      pki.users(List.of("alice0"));
      SslContext tls = Dialer.clientContext(pki.user("alice0").signing(), pki.caCertificate());
      try (RelayServer relay = InProcessRelay.start(pki)) {
        HandshakeLoad.Result r = HandshakeLoad.run(relay.port(), tls, 2, Duration.ofSeconds(1));

        assertThat(r.completed()).isPositive();
        assertThat(sum(r.sinceOrigin())).isEqualTo(r.completed());
        assertThat(r.sinceOrigin()).hasSameSizeAs(r.eachSecond());
      }
    }
  }

  private static int sum(List<Integer> counts) {
    return counts.stream().mapToInt(Integer::intValue).sum();
  }
}
