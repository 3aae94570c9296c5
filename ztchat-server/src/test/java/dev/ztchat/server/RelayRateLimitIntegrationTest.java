package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One identity flooding the relay is throttled, then closed; another identity is still served. */
class RelayRateLimitIntegrationTest {
  @TempDir static Path dir;
  static TestPki pki;
  static RelayServer server;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir)).withPort(0).withRateLimit(5, 10));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  // The tests share one relay and its per-identity budgets: each floods with its own identity, and
  // the bystander (carol) is one that no test spends.
  @Test
  void floodingIdentity_isThrottledThenClosedWithAReason_whileAnotherIdentityIsServed()
      throws Exception {
    long before = server.securityLog().count(SecurityEvent.RATE_LIMITED);
    try (RawFrameClient flooder = connect("alice");
        RawFrameClient bystander = connect("carol")) {
      for (int i = 0; i < 60; i++) {
        flooder.send(new Frame.Ping("p" + i));
      }
      Frame.Error last = null;
      int pongs = 0;
      int limited = 0;
      try {
        while (true) {
          Frame f = flooder.read(Duration.ofSeconds(3));
          if (f instanceof Frame.Pong) {
            pongs++;
          } else if (f instanceof Frame.Error e && e.code() == ErrorCode.RATE_LIMITED) {
            limited++;
            last = e;
          }
        }
      } catch (IOException closedOrSilent) {
        // the server closed the connection (or went silent)
      }
      assertThat(pongs).isBetween(10, 12);
      assertThat(limited).isEqualTo(30); // 3 x burst dropped: the last one closes
      assertThat(last.message()).contains("connection closed");
      assertThat(flooder.closedWithin(Duration.ofSeconds(2))).isTrue();
      assertThat(server.securityLog().count(SecurityEvent.RATE_LIMITED))
          .isGreaterThanOrEqualTo(before + 2);

      bystander.send(new Frame.Ping("still-here"));
      assertThat(bystander.expect(Frame.Pong.class).ref()).isEqualTo("still-here");
    }
  }

  @Test
  void refusedFrame_carriesTheRequestRef() throws Exception {
    try (RawFrameClient c = connect("bob")) {
      Frame.Error refused = null;
      // 30 at once: more than the burst of 10 plus what 5/s refills even on a slow machine
      for (int i = 0; i < 30 && refused == null; i++) {
        c.send(new Frame.Ping("q" + i));
      }
      for (int i = 0; i < 30; i++) {
        if (c.read() instanceof Frame.Error e) {
          refused = e;
          break;
        }
      }
      assertThat(refused).isNotNull();
      assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
      assertThat(refused.ref()).startsWith("q");
    }
  }
}
