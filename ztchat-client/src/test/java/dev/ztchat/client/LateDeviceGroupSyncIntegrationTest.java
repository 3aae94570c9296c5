package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupOp;
import dev.ztchat.core.group.GroupRules;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.ForwardedChanges;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device that joins after its person's group was made learns the group from the group's changes
 * as their authors signed them (docs/v2/groups.md section 6.6), then shows the group's messages; a
 * "change" no admin signed is refused. Real relay, real TLS, certificates minted here.
 *
 * <p>The forwarded records are handed to the phone's {@link GroupSync} directly: sending them from
 * the laptop as messages is not built yet.
 */
class LateDeviceGroupSyncIntegrationTest {
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
            .withDevice(device)
            .withSendToNewDevices(true),
        inbox);
  }

  @Test
  void aPhoneAddedAfterTheGroup_showsItsMessagesOnceGivenTheSignedCreate_andRefusesAForgedChange()
      throws Exception {
    Credential laptopKey = device("alice", "laptop");
    Credential carolKey = device("carol", "laptop");
    GroupInbox laptops = new GroupInbox();
    GroupInbox bobs = new GroupInbox();
    GroupInbox carols = new GroupInbox();
    GroupInbox phones = new GroupInbox();
    try (ChatClient laptop = connect("alice", "alice", laptopKey, laptops);
        ChatClient bob = connect("bob", "bob", device("bob", "laptop"), bobs);
        ChatClient carol = connect("carol", "carol", carolKey, carols)) {
      GroupView team = laptop.createGroup("team", List.of("bob", "carol"));
      GroupConversationIntegrationTest.awaitGroup(bob, "#team", false);
      GroupConversationIntegrationTest.awaitGroup(carol, "#team", false);

      try (ChatClient phone = connect("alice", "alice+phone", device("alice", "phone"), phones)) {
        MultiDeviceIntegrationTest.awaitDevices(bob, "alice", 2);
        bob.sendToGroup("#team", "before the phone knew");
        assertThat(laptops.next(1)).containsExactly("#team bob: before the phone knew");
        assertThat(phones.refused.poll(15, TimeUnit.SECONDS))
            .as("without the group's changes the phone refuses its messages")
            .contains("a group this device does not know");
        assertThat(phones.lines).isEmpty();

        GroupChange create =
            GroupRules.create(
                GroupId.fromHex(team.idHex()), "team", "alice", List.of("bob", "carol"));
        byte[] record =
            ForwardedChanges.signed(
                    laptopKey,
                    "alice",
                    MessageContent.groupChange(create),
                    List.of("bob", "carol"),
                    Instant.now())
                .encode();
        phone.groupSync().receive("alice", record);
        phone.groupSync().receive("bob", record); // a second member forwards it too

        assertThat(phone.groups())
            .singleElement()
            .satisfies(
                g -> {
                  assertThat(g.shown()).isEqualTo("#team");
                  assertThat(g.members()).containsExactly("alice", "bob", "carol");
                });
        bob.sendToGroup("#team", "after the sync");
        assertThat(phones.next(1)).containsExactly("#team bob: after the sync");

        GroupChange addDave =
            GroupRules.propose(create.newState(), "alice", GroupOp.ADD, List.of("dave"));
        byte[] forged =
            ForwardedChanges.signed(
                    carolKey,
                    "carol",
                    MessageContent.groupChange(addDave),
                    List.of("alice", "bob"),
                    Instant.now())
                .encode();
        phone.groupSync().receive("carol", forged);
        assertThat(phones.refused.poll(5, TimeUnit.SECONDS))
            .as("carol is no admin: her signed add is refused as it would be live")
            .contains("carol");
        byte[] tampered = record.clone();
        tampered[tampered.length - 40] ^= 0x01;
        phone.groupSync().receive("bob", tampered);
        assertThat(phones.refused.poll(5, TimeUnit.SECONDS))
            .as("a record altered by its forwarder is refused")
            .contains("forwarded by bob was refused");
        assertThat(phone.groups().getFirst().members()).containsExactly("alice", "bob", "carol");
      }
    }
  }
}
