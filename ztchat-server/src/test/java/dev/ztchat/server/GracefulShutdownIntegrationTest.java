package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.store.QueueStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real relay process (systemd's stop): connected clients get a goodbye frame, what was
 * accepted is in the store, and the process exits 0 within the bound.
 */
class GracefulShutdownIntegrationTest {
  @TempDir Path dir;

  @Test
  void sigterm_saysGoodbye_keepsAcceptedMessages_andExitsZero() throws Exception {
    TestPki pki = TestPki.create("alice", "bob");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    ReloadableRelayProcess.Running relay =
        ReloadableRelayProcess.launch(certs.root(), dir.resolve("data"));
    try (RawFrameClient alice =
        RawFrameClient.connectWelcomed(
            "127.0.0.1", relay.port(), pki.user("alice").signing(), pki.ca().certificate())) {
      for (int i = 0; i < 5; i++) {
        alice.send(new Frame.Send("s" + i, envelope("alice", "bob")));
        assertThat(alice.expect(Frame.Sent.class).results())
            .containsExactly(new Frame.Delivery("bob", DeliveryStatus.QUEUED));
      }

      relay.process().destroy(); // SIGTERM

      Frame.Error goodbye;
      try {
        goodbye = alice.expect(Frame.Error.class);
      } catch (java.io.IOException e) {
        relay.process().waitFor(30, TimeUnit.SECONDS);
        throw new AssertionError("no goodbye: " + String.join("\n", relay.output()), e);
      }
      assertThat(goodbye.code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(goodbye.message()).contains("shutting down");
      assertThat(alice.closedWithin(Duration.ofSeconds(20))).isTrue();
      assertThat(relay.process().waitFor(TerminateBound.SECONDS, TimeUnit.SECONDS))
          .as("exits within the bound: %s", relay.output())
          .isTrue();
      assertThat(relay.process().exitValue()).as("%s", relay.output()).isZero();
    } finally {
      relay.process().destroyForcibly();
    }
    try (QueueStats.Reader store = QueueStats.Reader.open(dir.resolve("data"))) {
      assertThat(store.totals(System.currentTimeMillis()).messages()).isEqualTo(5);
    }
  }

  /** The default shutdown bound plus the JVM's own start and exit. */
  private static final class TerminateBound {
    static final long SECONDS =
        dev.ztchat.server.ops.TerminateSignal.DEFAULT_BOUND.toSeconds() + 20;
  }
}
