package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.store.QueueLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group text sent at once ({@code send --to '#NAME'}) never goes before an earlier change of its
 * group that still waits in the outbox (docs/v2/groups.md section 7.2, item 3): it is kept behind
 * the change, the user is told it is queued, and once the change goes every member gets the change
 * first, then the text. Real relay whose queue quota makes one member's mailbox full for the
 * sender, so the change reaches the others and waits for that member.
 */
class GroupTextBehindChangeIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

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

  private static long waiting(ChatClient c, java.util.function.Predicate<String> keys)
      throws IOException {
    return c.outgoing.waitingCount(keys);
  }

  @Test
  void aTextSentAtOnceWhileAnAddWaitsForTheNewMember_isKeptBehindIt_andReachesEveryoneAfterIt()
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
      alice.createGroup("team", List.of("bob", "carol"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
      GroupConversationIntegrationTest.awaitGroup(carol, "#team", false);
      alice.send("zed", "one");
      alice.send("zed", "two");
      alice.send("zed", "three"); // alice's share of zed's mailbox is used up

      assertThat(bobs.changes.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo("alice created #team with bob, carol");
      alice.addToGroup("#team", "zed"); // bob and carol have it; it waits for zed
      assertThat(bobs.changes.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo("alice added zed to #team");
      assertThat(waiting(alice, Groups::isChangeKey)).as("the add waits for zed").isEqualTo(1);

      assertThatThrownBy(() -> alice.sendToGroup("#team", "hello, zed"))
          .as("the text does not go before the add that still waits")
          .isInstanceOf(GroupTextQueuedException.class)
          .hasMessageContaining("your earlier change to #team has not reached every member yet")
          .hasMessageContaining("kept on this device behind that change");
      bobs.assertNothingMore();
      carols.assertNothingMore();
      assertThat(waiting(alice, Groups::isChangeKey)).isEqualTo(1);
      String teamKey = Groups.KEY_PREFIX + alice.group("#team").idHex();
      assertThat(waiting(alice, teamKey::equals))
          .as("the text is kept, behind the change")
          .isEqualTo(1);

      try (ChatClient zed = connect("zed", zeds)) {
        assertThat(zeds.next(3))
            .containsExactly("direct alice: one", "direct alice: two", "direct alice: three");
        assertThat(
                Polling.eventually(
                    WAIT,
                    () -> {
                      alice.outgoing.flush(); // as a reconnect or the next send does
                      try {
                        return waiting(alice, k -> true) == 0;
                      } catch (IOException e) {
                        return false;
                      }
                    }))
            .as("once zed's mailbox has room, the change and then the text go")
            .isTrue();
        assertThat(zeds.changes.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("zed learns the group first")
            .startsWith("alice added you to #team");
        assertThat(zeds.next(1)).containsExactly("#team alice: hello, zed");
        assertThat(bobs.next(1)).containsExactly("#team alice: hello, zed");
        assertThat(carols.next(1)).containsExactly("#team alice: hello, zed");
        zeds.assertNothingMore();
        bobs.assertNothingMore();
        assertThat(zeds.refused).as("no text arrived before its group").isEmpty();
        assertThat(zeds.notices).noneMatch(n -> n.contains("differs from yours"));
      }
    }
  }
}
