package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
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
 * A contact's device held while group texts were sent (docs/v2/devices.md section 6.3): once
 * accepted, it gets the texts of the groups its person is still in, sealed to it alone, besides the
 * direct ones; the person's other devices and the other members get nothing twice.
 */
class GroupHeldResendIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
                .withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Credential device(String name, String device) {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        name,
        device,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }

  ChatClient connect(String user, String folder, Credential device, ChatListener inbox)
      throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user(user),
                pki.ca().certificate(),
                dir.resolve(folder))
            .withDevice(device),
        inbox);
  }

  /** A group inbox that also keeps the new devices it was told of. */
  static final class Window extends GroupInbox {
    final BlockingQueue<KeyChangedException> blocked = new LinkedBlockingQueue<>();

    @Override
    public void onSendBlocked(KeyChangedException change) {
      blocked.add(change);
    }
  }

  @Test
  void groupTextsSentWhileADeviceWasHeld_reachItOnceAccepted_onlyForGroupsItsPersonIsStillIn()
      throws Exception {
    Window alices = new Window();
    GroupInbox phones = new GroupInbox();
    GroupInbox tablets = new GroupInbox();
    GroupInbox carols = new GroupInbox();
    try (ChatClient alice = connect("alice", "alice", device("alice", "desk"), alices);
        ChatClient phone = connect("bob", "bob+phone", device("bob", "phone"), phones);
        ChatClient carol = connect("carol", "carol", device("carol", "laptop"), carols)) {
      MultiDeviceIntegrationTest.awaitDevices(alice, "bob", 1);
      alice.send("bob", "hi"); // alice's set of bob's devices: the phone
      assertThat(phones.next(1)).containsExactly("direct alice: hi");

      try (ChatClient tablet = connect("bob", "bob+tablet", device("bob", "tablet"), tablets)) {
        MultiDeviceIntegrationTest.awaitDevices(phone, "bob", 2);
        phone.createGroup("team", List.of("alice", "carol")); // the tablet learns it as bob's
        for (ChatClient c : List.of(alice, carol, tablet)) {
          GroupConversationIntegrationTest.awaitGroup(c, "#team", false);
        }
        alice.createGroup("gone", List.of("bob", "carol")); // bob's tablet is found, and held
        KeyChangedException told = alices.blocked.poll(10, TimeUnit.SECONDS);
        assertThat(told).as("the tablet is told like a key change").isNotNull();
        assertThat(told.newDevice()).isNotNull();
        GroupConversationIntegrationTest.awaitGroup(phone, "#gone", false);
        alice.sendToGroup("#gone", "before bob left gone");
        assertThat(phones.next(1)).containsExactly("#gone alice: before bob left gone");
        assertThat(carols.next(1)).containsExactly("#gone alice: before bob left gone");
        alice.removeFromGroup("#gone", "bob");
        GroupConversationIntegrationTest.awaitGroup(phone, "#gone", true);

        alice.sendToGroup("#team", "while the tablet was held");
        alice.send("bob", "direct while held");
        assertThat(phones.next(2))
            .containsExactly(
                "#team alice: while the tablet was held", "direct alice: direct while held");
        assertThat(carols.next(1)).containsExactly("#team alice: while the tablet was held");
        assertThat(tablets.lines.poll(1, TimeUnit.SECONDS)).as("held: nothing yet").isNull();

        alice.acceptChange(told);
        assertThat(tablets.next(2))
            .as("the held device gets the group's text and the direct one, in the order sent")
            .containsExactly(
                "#team alice: while the tablet was held", "direct alice: direct while held");
        tablets.assertNothingMore();
        assertThat(tablets.refused)
            .as("nothing of the group bob left is sent to his tablet")
            .isEmpty();
        assertThat(tablets.notices).noneMatch(n -> n.contains("differs from yours"));
        phones.assertNothingMore();
        carols.assertNothingMore();
        assertThat(alice.groupHistory("#team", 10))
            .as("alice's history keeps the group text once")
            .extracting(HistoryEntry::text)
            .containsExactly("while the tablet was held");

        alice.sendToGroup("#team", "after the accept");
        assertThat(tablets.next(1)).containsExactly("#team alice: after the accept");
        assertThat(phones.next(1)).containsExactly("#team alice: after the accept");
      }
    }
  }
}
