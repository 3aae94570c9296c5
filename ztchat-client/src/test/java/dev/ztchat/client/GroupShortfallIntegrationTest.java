package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.store.QueueLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group text split into parts whose later part the relay cannot store for a member, whose mailbox
 * is full (docs/v2/groups.md section 7.1, item 9): the message stays in the sender's history as
 * sent, the user is told who it did not reach and why, and it reaches that member alone once there
 * is room, while the members it reached get it once.
 */
class GroupShortfallIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int MAX_FRAME = 6144;
  private static final String LONG = "x".repeat(2_000); // one member per envelope

  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "zed");
    Path relay = dir.resolve("relay");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), relay)
                .withPort(0)
                .withMaxFrame(MAX_FRAME)
                // alice may fill half of a mailbox of 6: three envelopes
                .withQueue(QueueLimits.defaults(relay).withQuota(6, 1 << 20).withSenderShare(50)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClient connect(String user, ChatListener inbox) throws Exception {
    return DeviceClients.connect(server, pki, dir, user, inbox);
  }

  private static long waitingGroupTexts(ChatClient c) throws IOException {
    return c.outgoing.waitingCount(k -> Groups.isGroupKey(k) && !HeldResends.isKey(k));
  }

  @Test
  void aLaterPartNotStoredForAFullMailbox_keepsTheMessageAsSent_tellsWhy_andReachesThatMemberLater()
      throws Exception {
    GroupInbox alices = new GroupInbox();
    GroupInbox bobs = new GroupInbox();
    GroupInbox carols = new GroupInbox();
    GroupInbox zeds = new GroupInbox();
    try (ChatClient alice = connect("alice", alices);
        ChatClient bob = connect("bob", bobs);
        ChatClient carol = connect("carol", carols)) {
      try (ChatClient zed = connect("zed", zeds)) {
        for (String m : List.of("bob", "carol", "zed")) {
          MultiDeviceIntegrationTest.awaitDevices(alice, m, 1);
        }
      } // zed goes offline, its keys published
      alice.createGroup("team", List.of("bob", "carol", "zed")); // zed's mailbox: 1 of alice's 3
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
      GroupConversationIntegrationTest.awaitGroup(carol, "#team", false);
      alice.send("zed", "one");
      alice.send("zed", "two"); // alice's share of zed's mailbox is used up

      List<byte[]> reachingBob = new CopyOnWriteArrayList<>();
      bob.onRawEnvelope(reachingBob::add);
      SendResult sent = alice.sendToGroup("#team", LONG);
      assertThat(sent.statusOf("bob").accepted()).isTrue();
      assertThat(sent.statusOf("carol").accepted()).isTrue();
      assertThat(sent.statusOf("zed")).isEqualTo(DeliveryStatus.FULL);
      assertThat(bobs.next(1)).containsExactly("#team alice: " + LONG);
      assertThat(carols.next(1)).containsExactly("#team alice: " + LONG);
      assertThat(Polling.eventually(WAIT, () -> !reachingBob.isEmpty())).isTrue();
      assertThat(LargeGroupIntegrationTest.decode(reachingBob.getLast()).prefix().recipients())
          .as("the message was split: bob's part does not name zed")
          .doesNotContain("zed");

      List<HistoryEntry> kept = alice.groupHistory("#team", 10);
      assertThat(kept)
          .as("the message stays in the history: it reached bob and carol")
          .extracting(HistoryEntry::text)
          .containsExactly(LONG);
      assertThat(kept.getFirst().state())
          .as("sent, or already delivered once bob's or carol's receipt came back")
          .isIn(HistoryEntry.State.SENT, HistoryEntry.State.DELIVERED);
      assertThat(alices.notices)
          .as("alice is told whom it did not reach and why")
          .anyMatch(
              n ->
                  n.contains("#team")
                      && n.contains("not zed")
                      && n.contains(GroupShortfall.MAILBOX_FULL)
                      && n.contains("sent to them again"));
      assertThat(waitingGroupTexts(alice)).as("kept for zed").isEqualTo(1);

      try (ChatClient zed = connect("zed", zeds)) {
        assertThat(zeds.next(2)).containsExactly("direct alice: one", "direct alice: two");
        alice.sendToGroup("#team", "later"); // what waits goes first
        assertThat(zeds.next(2))
            .as("zed gets the kept message, then the next, once there is room")
            .containsExactly("#team alice: " + LONG, "#team alice: later");
        assertThat(bobs.next(1)).containsExactly("#team alice: later");
        assertThat(carols.next(1)).containsExactly("#team alice: later");
        bobs.assertNothingMore();
        carols.assertNothingMore();
        zeds.assertNothingMore();
        assertThat(waitingGroupTexts(alice)).isZero();
        assertThat(zeds.notices).noneMatch(n -> n.contains("differs from yours"));
        assertThat(zeds.notices)
            .as("the message sealed again for zed kept its number: no gap was ever there")
            .noneMatch(n -> n.contains("has not arrived yet") || n.contains("never arrived"));
        assertThat(alices.notices.stream().filter(n -> n.contains("not zed")))
            .as("told once, not on every retry")
            .hasSize(1);
      }
    }
  }

  @Test
  void aMessageThatReachedSomeMembersOnly_showsSoInTheHistory_afterARestart_untilTheRestHaveIt()
      throws Exception {
    GroupInbox alices = new GroupInbox();
    GroupInbox bobs = new GroupInbox();
    GroupInbox carols = new GroupInbox();
    GroupInbox zeds = new GroupInbox();
    try (ChatClient bob = connect("bob", bobs);
        ChatClient carol = connect("carol", carols)) {
      try (ChatClient alice = connect("alice", alices)) {
        try (ChatClient zed = connect("zed", zeds)) {
          for (String m : List.of("bob", "carol", "zed")) {
            MultiDeviceIntegrationTest.awaitDevices(alice, m, 1);
          }
        }
        alice.createGroup("team", List.of("bob", "carol", "zed"));
        GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
        GroupConversationIntegrationTest.awaitGroup(carol, "#team", false);
        alice.send("zed", "one");
        alice.send("zed", "two"); // alice's share of zed's mailbox is used up
        alice.sendToGroup("#team", LONG);

        assertThat(alice.groupHistory("#team", 10).getFirst().partial())
            .as("kept beside the message as it happened")
            .hasValueSatisfying(
                p ->
                    assertThat(p.describe("alice"))
                        .isEqualTo(
                            "sent to 2 of 3: not yet to zed ("
                                + GroupShortfall.MAILBOX_FULL
                                + "); sent again when you next send or reconnect"));
      }
      try (ChatClient alice = connect("alice", alices)) {
        HistoryEntry afterRestart = alice.groupHistory("#team", 10).getFirst();
        assertThat(afterRestart.text()).isEqualTo(LONG);
        assertThat(afterRestart.partial())
            .as("a restart keeps whom the message did not reach")
            .hasValueSatisfying(p -> assertThat(p.notReached()).containsExactly("zed"));

        try (ChatClient zed = connect("zed", zeds)) {
          assertThat(zeds.next(2)).containsExactly("direct alice: one", "direct alice: two");
          // zed's mailbox has room for alice again only once the relay confirmed his acks: a group
          // text sent before that is answered full for him, and kept until alice next sends
          assertThat(
                  Polling.eventually(
                      WAIT,
                      () -> BatchedAcknowledgementIntegrationTest.unconfirmedOrMinusOne(zed) == 0))
              .isTrue();
          alice.sendToGroup("#team", "later");
          assertThat(zeds.next(2)).containsExactly("#team alice: " + LONG, "#team alice: later");
          assertThat(Polling.eventually(WAIT, () -> reachedAll(alice)))
              .as("once zed has it, the message reached every member")
              .isTrue();
        }
      }
    }
  }

  private static boolean reachedAll(ChatClient alice) {
    try {
      return alice.groupHistory("#team", 10).getFirst().partial().isEmpty();
    } catch (IOException | UnknownGroupException e) {
      throw new IllegalStateException(e);
    }
  }
}
