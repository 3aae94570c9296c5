package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.store.QueueLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A part kept in the outbox for the members a group text did not reach, which the relay then
 * refuses for good (here: it restarted with a smaller frame limit, and the part is larger than it
 * delivers now): the outbox drops it instead of sending it again on every flush, the user is told
 * whom the text will not reach, and nothing after it in the outbox is held back (docs/v2/groups.md
 * section 7.1, item 9). Real relay, restarted on the same port and store.
 */
class OutboxRefusedForGoodIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int MAX_FRAME = 6144;
  private static final String LONG = "x".repeat(2_000); // one member per envelope

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig serverConfig;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "zed");
    Path relay = dir.resolve("relay");
    serverConfig =
        RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), relay)
            .withPort(OfflineDeliveryIntegrationTest.freePort())
            .withMaxFrame(MAX_FRAME)
            // alice may fill half of a mailbox of 6: three envelopes
            .withQueue(QueueLimits.defaults(relay).withQuota(6, 1 << 20).withSenderShare(50));
    server = RelayServer.start(serverConfig);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClient connect(String user, ChatListener inbox) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                serverConfig.port(),
                pki.user(user),
                pki.ca().certificate(),
                dir.resolve(user))
            .withDevice(pki.device(user)),
        inbox);
  }

  private static boolean nothingWaits(ChatClient c) {
    try {
      return c.outgoing.waitingCount(k -> true) == 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean connectedWithFrame(ChatClient c, int maxFrame) {
    try {
      return c.isConnected() && c.connection().welcome().maxFrame() == maxFrame;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aKeptPartTheRelayNowRefusesForGood_isDropped_tellsWhom_andHoldsBackNothingAfterIt()
      throws Exception {
    GroupInbox alices = new GroupInbox();
    GroupInbox bobs = new GroupInbox();
    try (ChatClient alice = connect("alice", alices);
        ChatClient bob = connect("bob", bobs);
        ChatClient carol = connect("carol", new GroupInbox())) {
      try (ChatClient zed = connect("zed", new GroupInbox())) {
        for (String m : List.of("bob", "carol", "zed")) {
          MultiDeviceIntegrationTest.awaitDevices(alice, m, 1);
        }
      } // zed goes offline, its keys published
      alice.createGroup("team", List.of("bob", "carol", "zed"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
      GroupConversationIntegrationTest.awaitGroup(carol, "#team", false);
      alice.send("zed", "one");
      alice.send("zed", "two"); // alice's share of zed's mailbox is used up
      SendResult sent = alice.sendToGroup("#team", LONG);
      assertThat(sent.statusOf("zed")).isEqualTo(DeliveryStatus.FULL);
      assertThat(bobs.next(1)).containsExactly("#team alice: " + LONG);
      assertThat(alice.outgoing.waitingCount(Groups::isGroupKey)).as("kept for zed").isEqualTo(1);

      // The relay comes back with a smaller frame limit: the part kept for zed still fits a
      // binary send frame, but is larger than the relay can deliver to every client now, so it
      // refuses it as a bad envelope however often it is sent.
      int part = alice.outgoing.waitingPartSizes(Groups::isGroupKey).getFirst();
      int smaller = Math.max(ProtocolLimits.MIN_MAX_FRAME, part + 256);
      assertThat(ProtocolLimits.maxEnvelopeBytes(smaller)).isLessThan(part);
      server.close();
      server = RelayServer.start(serverConfig.withMaxFrame(smaller));
      assertThat(Polling.eventually(WAIT, () -> connectedWithFrame(alice, smaller))).isTrue();
      alice.sendOrKeep("bob", "a short one, after the long one");

      assertThat(bobs.lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("what waits after the refused part goes out")
          .isEqualTo("direct alice: a short one, after the long one");
      assertThat(
              Polling.eventually(
                  WAIT,
                  () ->
                      alices.notices.stream()
                          .anyMatch(n -> n.contains("reached some members but not zed"))))
          .isTrue();
      assertThat(
              alices.notices.stream()
                  .filter(n -> n.contains("reached some members but not zed"))
                  .toList()
                  .getLast())
          .as("alice is told the text will not reach zed, and why")
          .contains("the server refused part of it")
          .contains("it will not be sent to them");
      // the short one leaves the outbox when its "sent" comes, which may be after bob shows it
      assertThat(Polling.eventually(WAIT, () -> nothingWaits(alice)))
          .as("nothing is kept to be refused again")
          .isTrue();
      HistoryEntry kept = alice.groupHistory("#team", 10).getLast();
      assertThat(kept.text()).isEqualTo(LONG);
      assertThat(kept.partial())
          .as("the history says whom it did not reach")
          .hasValueSatisfying(p -> assertThat(p.notReached()).containsExactly("zed"));
    }
  }
}
