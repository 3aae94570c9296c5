package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that opens only version 1 meets a version-2 envelope (docs/v2/envelope.md section 6): it
 * is not shown, not acknowledged (the relay keeps it: nothing is lost), the user is told, and the
 * messages around it still arrive. The relay's announced versions are visible to the client.
 */
class V2ReceiveIntegrationTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig serverConfig;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    serverConfig =
        RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
            .withPort(OfflineDeliveryIntegrationTest.freePort());
    server = RelayServer.start(serverConfig);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig config(String user) {
    return ChatClientConfig.of(
        "localhost",
        serverConfig.port(),
        pki.user(user),
        pki.ca().certificate(),
        dir.resolve("data-" + user));
  }

  RawFrameClient raw(String user) throws Exception {
    return RawFrameClient.connectWelcomed(
        "127.0.0.1", server.port(), pki.user(user).signing(), pki.ca().certificate());
  }

  static byte[] v2(String sender, String recipient) {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    byte[] body = new byte[100];
    RANDOM.nextBytes(body);
    return new V2Envelope(
            new RoutingPrefix(2, sender, List.of(recipient), Instant.now().toEpochMilli(), id),
            body,
            new byte[] {0x30, 0x01, 0x00})
        .encode();
  }

  /** An inbox that also collects what the client could not process. */
  static final class NoticeInbox extends Inbox {
    final BlockingQueue<String> notProcessed = new LinkedBlockingQueue<>();

    @Override
    public void onNotProcessed(String claimedSender, String explanation) {
      notProcessed.add(claimedSender + ": " + explanation);
    }
  }

  @Test
  void v2Envelope_isKeptUnacknowledged_andTheUserIsTold_whileV1MessagesStillArrive()
      throws Exception {
    byte[] v2 = v2("alice", "bob");
    try (RawFrameClient alice = raw("alice")) {
      alice.send(new Frame.Send("s1", v2, true));
      assertThat(alice.expect(Frame.Sent.class).results())
          .containsExactly(new Frame.Delivery("bob", DeliveryStatus.QUEUED));
    }
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      assertThat(alice.send("bob", "after the v2 one").statusOf("bob"))
          .isEqualTo(DeliveryStatus.QUEUED);
    }

    NoticeInbox inbox = new NoticeInbox();
    try (ChatClient bob = ChatClient.connect(config("bob"), inbox)) {
      assertThat(bob.connection().relayVersions()).containsExactly(1, 2);
      assertThat(inbox.next().text()).isEqualTo("after the v2 one");
      String told = inbox.notProcessed.poll(10, TimeUnit.SECONDS);
      assertThat(told)
          .isEqualTo("alice: " + ChatClient.unopenableExplanation(V2Envelope.decode(v2).prefix()));
      assertThat(inbox.messages).as("the v2 message is not shown").isEmpty();
      assertThat(inbox.warnings).as("nor refused").isEmpty();
    }

    // The relay still holds the v2 envelope (never acknowledged), not the v1 one (acknowledged).
    try (RawFrameClient bob = raw("bob")) {
      Frame.Deliver d = bob.expect(Frame.Deliver.class);
      assertThat(d.envelope()).isEqualTo(v2);
      assertThat(bob.silentFor(Duration.ofMillis(700))).as("nothing else is stored").isTrue();
    }
  }

  @Test
  void relayConnection_asksForBinaryFrames_andReceivesV2EnvelopesAsBytes() throws Exception {
    byte[] v2 = v2("alice", "bob");
    BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
    try (RelayConnection bob =
            RelayConnection.connect(
                "localhost", server.port(), pki.user("bob").signing(), pki.ca().certificate());
        RawFrameClient alice = raw("alice")) {
      bob.onDelivery(got::add);
      // The relay handles a connection's frames in order: once ping is answered, so is features.
      assertThat(bob.request(new Frame.Ping("p1"), "p1", Duration.ofSeconds(10)))
          .isInstanceOf(Frame.Pong.class);
      alice.send(new Frame.Send("s1", v2, true));
      alice.expect(Frame.Sent.class);

      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo(v2);
    }
  }
}
