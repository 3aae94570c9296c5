package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay announces how long it keeps messages (welcome's {@code queueTtlSeconds}); a client
 * whose acceptance window is shorter warns its user once per connection, since messages waiting
 * longer than the window will be refused as stale.
 */
class RelayTtlWarningIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs).withPort(0)); // TTL 7 days
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static final class Notices implements ChatListener {
    final BlockingQueue<String> notices = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(OpenedMessage message) {}

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {}

    final List<Remedy> remedies = new CopyOnWriteArrayList<>();

    @Override
    public void onNotice(String notice) {
      notices.add(notice);
    }

    @Override
    public void onNotice(String notice, Remedy remedy) {
      remedies.add(remedy);
      notices.add(notice);
    }

    /** Notices that arrived within a moment, about the queue's TTL. */
    List<String> aboutTtl() throws InterruptedException {
      List<String> got = new ArrayList<>();
      String n;
      while ((n = notices.poll(1, TimeUnit.SECONDS)) != null) {
        if (n.contains("stale")) {
          got.add(n);
        }
      }
      return got;
    }
  }

  ChatClient connect(AcceptancePolicy acceptance, Notices notices) throws Exception {
    return ChatClient.connect(
        new ChatClientConfig(
            "localhost",
            server.port(),
            pki.user("alice"),
            pki.ca().certificate(),
            dir.resolve("data-alice"),
            acceptance,
            Clock.systemUTC(),
            List.of()),
        notices);
  }

  @Test
  void windowShorterThanTheRelaysTtl_isWarnedOnce() throws Exception {
    Notices notices = new Notices();
    try (ChatClient alice = connect(AcceptancePolicy.ofWindow(Duration.ofDays(1)), notices)) {
      List<String> warned = notices.aboutTtl();
      assertThat(warned).hasSize(1);
      assertThat(warned.getFirst()).contains("7 days").contains("1 day").doesNotContain("--window");
      assertThat(notices.remedies)
          .filteredOn(r -> r.kind() == Remedy.Kind.LONGER_WINDOW)
          .containsExactly(Remedy.forDuration(Remedy.Kind.LONGER_WINDOW, Duration.ofDays(7)));
    }
  }

  @Test
  void windowAsLongAsTheRelaysTtl_isNotWarned() throws Exception {
    Notices notices = new Notices();
    try (ChatClient alice = connect(AcceptancePolicy.DEFAULT, notices)) {
      assertThat(notices.aboutTtl()).isEmpty();
    }
  }
}
