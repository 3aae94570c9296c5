package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.store.OfflineQueue;
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
 * With the default frame budget (20 frames/s, bursts of 40), a user coming back to a backlog
 * acknowledges every envelope as fast as it wants: acks the relay asked for are not charged. Acks
 * it did not ask for are, so they cannot be used to get around the budget.
 */
class AckBudgetIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig config;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    config = relayConfig(pki, dir);
    server = RelayServer.start(config);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  @Test
  void aBacklogTenTimesTheBurstDrainsWithoutAnyRateLimitError() throws Exception {
    int n = 400;
    server.close();
    List<String> stored = new ArrayList<>();
    try (OfflineQueue q = OfflineQueue.open(config.queue(), Clock.systemUTC())) {
      q.transaction(
          () -> {
            for (int i = 0; i < n; i++) {
              byte[] env = envelope("alice", "bob");
              String id = RelayTestSupport.idOf(env);
              q.enqueue(List.of("bob"), "alice", id, env);
              stored.add(id);
            }
          });
    }
    server = RelayServer.start(config);

    List<String> got = new ArrayList<>();
    List<Frame.Error> errors = new ArrayList<>();
    int oks = 0;
    try (RawFrameClient bob = connect("bob")) {
      while (got.size() < n || oks < n) {
        Frame f = bob.read(Duration.ofSeconds(30));
        switch (f) {
          case Frame.Deliver d -> {
            EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
            got.add(h.messageIdHex());
            bob.send(new Frame.Ack("a" + got.size(), h.sender(), h.messageIdHex()));
          }
          case Frame.Ok ok -> oks++;
          case Frame.Error e -> {
            errors.add(e);
            if (errors.size() > 3) {
              throw new AssertionError("errors while draining: " + errors);
            }
          }
          default -> {}
        }
      }
    }
    assertThat(errors).isEmpty();
    assertThat(got).containsExactlyElementsOf(stored);
    assertThat(server.securityLog().count(SecurityEvent.RATE_LIMITED)).isZero();
  }

  @Test
  void acksTheRelayDidNotAskForAreChargedToTheBudget() throws Exception {
    try (RawFrameClient bob = connect("bob")) {
      for (int i = 0; i < 100; i++) {
        bob.send(new Frame.Ack("b" + i, "alice", "%032x".formatted(i)));
      }
      boolean limited = false;
      for (int i = 0; i < 100 && !limited; i++) {
        if (bob.read(Duration.ofSeconds(10)) instanceof Frame.Error e
            && e.code() == ErrorCode.RATE_LIMITED) {
          limited = true;
        }
      }
      assertThat(limited).as("a flood of unrequested acks is rate limited").isTrue();
    }
  }
}
