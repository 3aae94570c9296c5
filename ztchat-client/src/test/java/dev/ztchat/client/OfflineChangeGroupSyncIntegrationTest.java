package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group change made while offline waits unsealed in the outbox, without a record to forward
 * (docs/v2/groups.md section 6.6); the records of the group's earlier changes stay kept meanwhile,
 * so a new device of mine that the relay reveals when the change goes out learns the whole group
 * from them, that change included. Real relay, stopped and started on the same port and store.
 */
class OfflineChangeGroupSyncIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig serverConfig;
  RelayServer server;
  Credential laptop;
  Credential phone;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    laptop = device("alice", "laptop");
    phone = device("alice", "phone");
    serverConfig =
        RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
            .withPort(OfflineDeliveryIntegrationTest.freePort());
    server = RelayServer.start(serverConfig);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  Credential device(String name, String device) {
    return DeviceClients.issue(pki, name, device);
  }

  ChatClientConfig config(String user, String folder, Credential device) {
    return DeviceClients.config(serverConfig.port(), pki, dir, user, folder, device)
        .withSendToNewDevices(true); // a new device is sealed to at once, as --new-devices send
  }

  @Test
  void aChangeMadeOfflineBeforeMyNewPhoneIsRevealed_reachesThePhoneAfterTheGroupsEarlierChanges()
      throws Exception {
    GroupInbox bobs = new GroupInbox();
    try (ChatClient alice = ChatClient.connect(config("alice", "alice", laptop), new GroupInbox());
        ChatClient bob = ChatClient.connect(config("bob", "bob", device("bob", "laptop")), bobs);
        ChatClient carol =
            ChatClient.connect(
                config("carol", "carol", device("carol", "laptop")), new GroupInbox())) {
      MultiDeviceIntegrationTest.awaitDevices(alice, "bob", 1);
      MultiDeviceIntegrationTest.awaitDevices(alice, "carol", 1);
      alice.createGroup("team", List.of("bob"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
    }
    server.close(); // the relay goes down
    server = null;
    GroupInbox offline = new GroupInbox();
    try (ChatClient alice = ChatClient.start(config("alice", "alice", laptop), offline)) {
      alice.addToGroup("#team", "carol");
      assertThat(offline.notices).anyMatch(n -> n.contains("waits to be sent"));
    }

    server = RelayServer.start(serverConfig); // back, same port and store
    GroupInbox phones = new GroupInbox();
    try (ChatClient alicesPhone =
            ChatClient.connect(config("alice", "alice+phone", phone), phones);
        ChatClient bob = ChatClient.connect(config("bob", "bob", device("bob", "laptop")), bobs)) {
      MultiDeviceIntegrationTest.awaitDevices(bob, "alice", 2); // the relay lists the phone
      // The laptop knows no phone: the relay's missing= answer to the waiting change reveals it.
      try (ChatClient alice =
          ChatClient.start(config("alice", "alice", laptop), new GroupInbox())) {
        assertThat(Polling.eventually(WAIT, () -> knowsTeam(alicesPhone)))
            .as("the phone learns #team with carol in it")
            .isTrue();
        assertThat(alicesPhone.group("#team").members()).containsExactly("alice", "bob", "carol");
        assertThat(phones.refused)
            .as("no change of #team reached the phone before the group's earlier ones")
            .isEmpty();
        assertThat(
                Polling.eventually(
                    WAIT, () -> bobs.changes.stream().anyMatch(c -> c.contains("added carol"))))
            .isTrue();
        alice.sendToGroup("#team", "hello from the laptop");
        assertThat(phones.next(1)).containsExactly("#team alice: hello from the laptop");
      }
    }
  }

  @Test
  void myNewPhoneAcceptedWhileAnOfflineChangeCannotBeSealed_learnsTheGroupBeforeIt_thenTheChange()
      throws Exception {
    GroupInbox bobs = new GroupInbox();
    try (ChatClient alice = ChatClient.connect(config("alice", "alice", laptop), new GroupInbox());
        ChatClient bob = ChatClient.connect(config("bob", "bob", device("bob", "laptop")), bobs)) {
      MultiDeviceIntegrationTest.awaitDevices(alice, "bob", 1);
      alice.createGroup("team", List.of("bob"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
    }
    server.close();
    server = null;
    try (ChatClient alice = ChatClient.start(config("alice", "alice", laptop), new GroupInbox())) {
      alice.addToGroup("#team", "carol"); // carol has never connected: no keys at the relay yet
    }

    server = RelayServer.start(serverConfig);
    GroupInbox phones = new GroupInbox();
    GroupInbox laptops = new GroupInbox();
    try (ChatClient alicesPhone =
            ChatClient.connect(config("alice", "alice+phone", phone), phones);
        ChatClient bob = ChatClient.connect(config("bob", "bob", device("bob", "laptop")), bobs);
        ChatClient alice = ChatClient.connect(config("alice", "alice", laptop), laptops)) {
      MultiDeviceIntegrationTest.awaitDevices(bob, "alice", 2);
      assertThat(
              Polling.eventually(
                  WAIT, () -> laptops.notices.stream().anyMatch(n -> n.contains("carol"))))
          .as("the add waits, unsealed: carol has no keys at the relay")
          .isTrue();
      assertThat(alice.outgoing.waitingCount(Groups::isChangeKey)).isEqualTo(1);

      alice.send("bob", "the text that finds the phone"); // its missing= answer reveals the phone
      assertThat(Polling.eventually(WAIT, () -> knows(alicesPhone, "bob")))
          .as("the phone learns #team as it was before the waiting add")
          .isTrue();
      assertThat(alicesPhone.group("#team").members()).containsExactly("alice", "bob");

      try (ChatClient carol =
          ChatClient.connect(
              config("carol", "carol", device("carol", "laptop")), new GroupInbox())) {
        assertThat(
                Polling.eventually(
                    WAIT,
                    () -> {
                      alice.outgoing.flush(); // as the next send or a reconnect does
                      return knows(alicesPhone, "carol");
                    }))
            .as("the add reaches the phone as it goes out, after the group it belongs to")
            .isTrue();
      }
      assertThat(phones.refused).as("nothing refused on the phone").isEmpty();
    }
  }

  private static boolean knowsTeam(ChatClient c) {
    return knows(c, "carol");
  }

  private static boolean knows(ChatClient c, String member) {
    try {
      return c.groups().stream()
          .anyMatch(g -> g.shown().equals("#team") && g.members().contains(member));
    } catch (IOException e) {
      return false;
    }
  }
}
