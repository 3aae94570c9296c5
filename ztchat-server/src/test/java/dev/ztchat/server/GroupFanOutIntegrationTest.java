package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.random;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.core.transport.TlsSettings;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group message is one version-2 envelope naming every other member (docs/v2/groups.md section
 * 7): a real relay accepts one naming more than version 1's 32 recipients, stores it for each, and
 * delivers it to each; it refuses one naming more than 64 (docs/v2/envelope.md section 2.1).
 */
class GroupFanOutIntegrationTest {
  private static final List<String> MEMBERS =
      IntStream.range(0, 40).mapToObj(i -> "m" + i).toList();

  @TempDir Path dir;
  final MutableClock clock = MutableClock.followingSystem();
  TestPki pki;
  RelayServer server;

  /** Starts a relay whose directory holds {@code users} (each test mints only whom it needs). */
  private void start(String... users) throws Exception {
    pki = TestPki.create(users);
    server = RelayServer.start(relayConfig(pki, dir), TlsSettings.provider(), clock);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void v2EnvelopeTo40Recipients_isAccepted_andDeliveredToEach() throws Exception {
    start(
        IntStream.range(0, MEMBERS.size() + 1)
            .mapToObj(i -> i == 0 ? "alice" : MEMBERS.get(i - 1))
            .toArray(String[]::new));
    RoutingPrefix prefix =
        new RoutingPrefix(2, "alice", MEMBERS, clock.instant().toEpochMilli(), random(16));
    byte[] env = new V2Envelope(prefix, random(300), random(72)).encode();

    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      alice.send(new Frame.Send("g1", env, true));
      List<Frame.Delivery> results = alice.expect(Frame.Sent.class).results();
      assertThat(results).hasSize(40);
      assertThat(results).allSatisfy(d -> assertThat(d.status()).isEqualTo(DeliveryStatus.QUEUED));
      assertThat(results.stream().map(Frame.Delivery::user).toList())
          .containsExactlyInAnyOrderElementsOf(MEMBERS);
    }
    for (String member : MEMBERS) {
      try (RawFrameClient c = RelayTestSupport.connectWelcomed(server, pki, member)) {
        Frame.Deliver d = c.expect(Frame.Deliver.class);
        assertThat(d.envelope()).as("delivered to %s", member).isEqualTo(env);
      }
    }
  }

  @Test
  void v2EnvelopeTo65Recipients_isRefusedAsMalformed_andTheConnectionStaysUsable()
      throws Exception {
    start("alice");
    List<String> names = IntStream.range(0, 65).mapToObj(i -> "u" + i).toList();
    byte[] env = byHand("alice", names, clock.instant().toEpochMilli());

    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      alice.send(new Frame.Send("g1", env, true));
      Frame.Error e = alice.expect(Frame.Error.class);
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_ENVELOPE);
      assertThat(e.message()).contains("1 to 64 recipients, not 65");
      alice.send(new Frame.Ping("still-here"));
      assertThat(alice.expect(Frame.Pong.class).ref()).isEqualTo("still-here");
    }
  }

  /** The layout of docs/v2/envelope.md section 2, written out so that it can break the rules. */
  private static byte[] byHand(String sender, List<String> recipients, long timestamp) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(2);
    str(out, sender);
    out.write(recipients.size());
    recipients.forEach(r -> str(out, r));
    out.writeBytes(ByteBuffer.allocate(8).putLong(timestamp).array());
    out.writeBytes(random(16));
    byte[] body = random(100);
    out.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
    out.writeBytes(body);
    out.write(0);
    out.write(72);
    out.writeBytes(random(72));
    return out.toByteArray();
  }

  private static void str(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >>> 8);
    out.write(b.length);
    out.writeBytes(b);
  }
}
