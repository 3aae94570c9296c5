package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * My group changes made while the relay is down are kept in the outbox like texts (a restart of the
 * client included) and go out when it is back, in the order they were made, before the group's
 * waiting texts (docs/v2/groups.md section 7.2). A waiting text is sealed to the members as they
 * are when it goes out: one typed before a removal made offline does not reach the removed member.
 */
class GroupChangeOutboxIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig serverConfig;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "dave");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    serverConfig =
        RelayServerConfig.defaults(certs, dir.resolve("relay"))
            .withPort(OfflineDeliveryIntegrationTest.freePort());
    server = RelayServer.start(serverConfig);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  ChatClientConfig config(String user) {
    return ChatClientConfig.of(
            "localhost",
            serverConfig.port(),
            pki.user(user),
            pki.ca().certificate(),
            dir.resolve(user))
        .withDevice(pki.device(user));
  }

  @Test
  void changesMadeWhileTheRelayIsDown_surviveARestart_andGoOutInOrderBeforeTheGroupsTexts()
      throws Exception {
    try (ChatClient alice = ChatClient.connect(config("alice"), new GroupInbox());
        ChatClient bob = ChatClient.connect(config("bob"), new GroupInbox());
        ChatClient carol = ChatClient.connect(config("carol"), new GroupInbox());
        ChatClient dave = ChatClient.connect(config("dave"), new GroupInbox())) {
      GroupConversationIntegrationTest.awaitDevices(alice, "dave", 1);
      alice.createGroup("team", List.of("bob", "carol"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
      GroupConversationIntegrationTest.awaitGroup(carol, "#team", false);
    }
    server.close(); // the relay goes down
    server = null;

    GroupInbox offline = new GroupInbox();
    try (ChatClient alice = ChatClient.start(config("alice"), offline)) {
      GroupView added = alice.addToGroup("#team", "dave");
      assertThat(added.members()).containsExactly("alice", "bob", "carol", "dave");
      alice.sendToGroupOrKeep("#team", "one: welcome dave");
      GroupView removed = alice.removeFromGroup("#team", "carol");
      assertThat(removed.members()).containsExactly("alice", "bob", "dave");
      alice.sendToGroupOrKeep("#team", "two: carol is gone");
      assertThat(offline.notices).anyMatch(n -> n.contains("waits to be sent"));
    } // the client stops with everything still waiting

    server = RelayServer.start(serverConfig); // back, same port and store
    GroupInbox bobs = new GroupInbox();
    GroupInbox carols = new GroupInbox();
    GroupInbox daves = new GroupInbox();
    try (ChatClient bob = ChatClient.connect(config("bob"), bobs);
        ChatClient carol = ChatClient.connect(config("carol"), carols);
        ChatClient dave = ChatClient.connect(config("dave"), daves);
        ChatClient alice = ChatClient.start(config("alice"), new GroupInbox())) {
      assertThat(daves.next(2))
          .as("dave was added before the texts went out, so he shows both")
          .containsExactly("#team alice: one: welcome dave", "#team alice: two: carol is gone");
      assertThat(bobs.next(2))
          .containsExactly("#team alice: one: welcome dave", "#team alice: two: carol is gone");
      GroupConversationIntegrationTest.awaitGroup(carol, "#team", true);
      assertThat(carols.changes)
          .as("carol learnt the add, then her removal")
          .anyMatch(c -> c.contains("added dave"))
          .anyMatch(c -> c.contains("removed you"));
      assertThat(
              Polling.eventually(
                  WAIT, () -> bobs.changes.stream().anyMatch(c -> c.contains("removed carol"))))
          .isTrue();
      assertThat(bobs.changes)
          .as("bob applied the add, then the removal")
          .anyMatch(c -> c.contains("added dave"));
      carols.assertNothingMore();
      bobs.assertNothingMore();
      daves.assertNothingMore();
      for (GroupInbox inbox : List.of(bobs, carols, daves)) {
        assertThat(inbox.notices)
            .as("every text was sealed to the member list its receiver had then")
            .noneMatch(n -> n.contains("differs from yours"));
        assertThat(inbox.refused).isEmpty();
      }
      assertThat(alice.groupHistory("#team", 10))
          .extracting(HistoryEntry::text)
          .containsExactly("one: welcome dave", "two: carol is gone");
    }
  }
}
