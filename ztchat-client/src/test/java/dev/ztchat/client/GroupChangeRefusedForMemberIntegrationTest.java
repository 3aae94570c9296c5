package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group change the relay stores for some members but refuses for good for another (docs/v2/
 * groups.md sections 7.1, item 9, and 7.2, item 1): here the relay does not know that member any
 * more (its store was replaced and the member's certificates are not in its folder), so it answers
 * {@code unknown} for them. The change is made, since the others have it; the user is told once
 * whom it did not reach and why, and that it will not be sent to them; nothing of it is kept in the
 * outbox, so no later flush sends it again. Real relay, restarted on the same port.
 */
class GroupChangeRefusedForMemberIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServerConfig serverConfig;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "zed");
    certs = pki.writeTo(dir.resolve("certs"));
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

  /** The relay starts again on the same port with an empty store and without zed's certificates. */
  private void relayForgetsZed() throws Exception {
    server.close();
    try (Stream<Path> files = Files.walk(certs.userDir("zed"))) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    serverConfig =
        RelayServerConfig.defaults(certs, dir.resolve("relay-new")).withPort(serverConfig.port());
    server = RelayServer.start(serverConfig);
  }

  private static long waitingChanges(ChatClient c) throws IOException {
    return c.outgoing.waitingCount(Groups::isChangeKey);
  }

  @Test
  void aChangeTheRelayRefusesForGoodForOneMember_isMade_tellsWhomOnce_andIsNotSentAgain()
      throws Exception {
    GroupInbox bobs = new GroupInbox();
    try (ChatClient alice = connect("alice", new GroupInbox());
        ChatClient bob = connect("bob", bobs);
        ChatClient zed = connect("zed", new GroupInbox())) {
      for (String m : List.of("bob", "zed")) {
        MultiDeviceIntegrationTest.awaitDevices(alice, m, 1);
      }
      alice.createGroup("team", List.of("bob", "zed"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
      GroupConversationIntegrationTest.awaitGroup(zed, "#team", false);
    }
    assertThat(bobs.changes.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo("alice created #team with bob, zed");
    relayForgetsZed();

    GroupInbox alices = new GroupInbox();
    GroupInbox carols = new GroupInbox();
    try (ChatClient alice = connect("alice", alices);
        ChatClient bob = connect("bob", bobs);
        ChatClient carol = connect("carol", carols)) {
      MultiDeviceIntegrationTest.awaitDevices(alice, "carol", 1);
      MultiDeviceIntegrationTest.awaitDevices(alice, "bob", 1);

      GroupView team = alice.addToGroup("#team", "carol");

      assertThat(team.members())
          .as("made: bob and carol have it")
          .containsExactly("alice", "bob", "carol", "zed");
      assertThat(bobs.changes.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo("alice added carol to #team");
      GroupConversationIntegrationTest.awaitGroup(carol, "#team", false);
      assertThat(alices.notices)
          .as("alice is told whom it did not reach, why, and that it is not sent again")
          .filteredOn(n -> n.contains("reached some members but not"))
          .singleElement()
          .satisfies(
              n ->
                  assertThat(n)
                      .startsWith("[!] #team: your change reached some members but not zed (")
                      .contains(GroupShortfall.UNKNOWN_TO_SERVER)
                      .contains("will not be sent to them"));
      assertThat(waitingChanges(alice)).as("nothing is kept to send again").isZero();

      alice.sendToGroup("#team", "welcome, carol"); // a flush first: nothing of the change goes
      assertThat(bobs.next(1)).containsExactly("#team alice: welcome, carol");
      assertThat(carols.next(1)).containsExactly("#team alice: welcome, carol");
      assertThat(alices.notices)
          .as("the text that did not reach zed is told of as well")
          .anyMatch(n -> n.contains("your message reached some members but not zed"));
      assertThat(alices.notices.stream().filter(n -> n.contains("your change reached some")))
          .as("the change is told of once, not sent again by the flush")
          .hasSize(1);
      assertThat(waitingChanges(alice)).isZero();
      assertThat(bobs.refused).isEmpty();
    }
  }
}
