package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user learns whether another is online only once that user has sent them a message through the
 * relay (docs/SECURITY.md, presence): {@code who} lists only such contacts, and {@code sent} says
 * {@code delivered} only to them.
 */
class PresenceIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig config;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
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

  static List<String> who(RawFrameClient c) throws Exception {
    c.send(new Frame.Who("w"));
    return c.expect(Frame.Online.class).users();
  }

  static DeliveryStatus send(RawFrameClient from, String sender, String to) throws Exception {
    from.send(new Frame.Send("s", envelope(sender, to)));
    return from.expect(Frame.Sent.class).results().getFirst().status();
  }

  @Test
  void whoAndSent_hideAnOnlineUser_whoNeverWroteToTheRequester() throws Exception {
    try (RawFrameClient bob = connect("bob");
        RawFrameClient carol = connect("carol")) {
      assertThat(who(carol)).containsExactly("carol");
      assertThat(send(carol, "carol", "bob")).isEqualTo(DeliveryStatus.QUEUED);
      assertThat(bob.expect(Frame.Deliver.class)).isNotNull(); // queued, and still pushed at once
    }
  }

  @Test
  void afterBobWritesToCarol_carolSeesBobOnline_andHearsDelivered() throws Exception {
    try (RawFrameClient bob = connect("bob");
        RawFrameClient carol = connect("carol")) {
      assertThat(send(bob, "bob", "carol"))
          .isEqualTo(DeliveryStatus.QUEUED); // carol never wrote to bob
      assertThat(who(carol)).containsExactly("bob", "carol");
      assertThat(send(carol, "carol", "bob")).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(who(bob)).containsExactly("bob", "carol");
    }
  }

  /**
   * Carol takes bob's message from memory (acknowledged before the store would write it): bob is
   * her contact at once, not only once the store's next batch records it, so her reply that bob
   * acknowledges as quickly is reported delivered.
   */
  @Test
  void aContactFromAMessageAcknowledgedFromMemory_isKnownAtOnce() throws Exception {
    try (RawFrameClient bob = connect("bob");
        RawFrameClient carol = connect("carol")) {
      byte[] toCarol = envelope("bob", "carol");
      bob.send(new Frame.Send("s1", toCarol));
      carol.expect(Frame.Deliver.class);
      carol.send(new Frame.Ack("a1", "bob", RelayTestSupport.idOf(toCarol)));
      assertThat(bob.expect(Frame.Sent.class).results().getFirst().status())
          .isEqualTo(DeliveryStatus.QUEUED); // carol never wrote to bob

      byte[] toBob = envelope("carol", "bob");
      carol.send(new Frame.Send("s2", toBob));
      bob.expect(Frame.Deliver.class);
      bob.send(new Frame.Ack("a2", "carol", RelayTestSupport.idOf(toBob)));

      assertThat(carol.expect(Frame.Sent.class).results().getFirst().status())
          .isEqualTo(DeliveryStatus.DELIVERED);
    }
  }

  @Test
  void contacts_surviveARelayRestart() throws Exception {
    try (RawFrameClient bob = connect("bob")) {
      send(bob, "bob", "carol");
    }
    server.close();
    server = RelayServer.start(config);
    try (RawFrameClient bob = connect("bob");
        RawFrameClient carol = connect("carol");
        RawFrameClient alice = connect("alice")) {
      assertThat(who(carol)).containsExactly("bob", "carol");
      assertThat(who(alice)).containsExactly("alice");
    }
  }
}
