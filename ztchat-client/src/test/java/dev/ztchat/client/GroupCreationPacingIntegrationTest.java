package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating a group of members this device never wrote to fetches one prekey bundle per member in a
 * burst, more frames than the relay's rate limit lets through at once: the client waits and asks
 * again when the relay answers {@code rate_limited}, so the group is created and every member gets
 * its first message. The relay's limit is lowered (as an operator may) so that a dozen members
 * exceed the burst and the test stays short.
 */
class GroupCreationPacingIntegrationTest {
  private static final int MEMBERS = 12;
  private static final int PER_SECOND = 4;
  private static final int BURST = 8;

  @TempDir Path dir;
  TestPki pki;
  RelayServer server;
  List<String> members;

  @BeforeEach
  void start() throws Exception {
    members = IntStream.rangeClosed(1, MEMBERS).mapToObj(i -> String.format("m%02d", i)).toList();
    List<String> users = new ArrayList<>(List.of("alice"));
    users.addAll(members);
    pki = TestPki.create(users.toArray(String[]::new));
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
                .withPort(0)
                .withRateLimit(PER_SECOND, BURST));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClient connect(String user, ChatListener inbox) throws Exception {
    return DeviceClients.connect(server, pki, dir, user, inbox);
  }

  @Test
  void aGroupWhoseBundleFetchesExceedTheRelaysBurst_isCreated_andEveryMemberGetsTheFirstMessage()
      throws Exception {
    Map<String, GroupInbox> inboxes = new LinkedHashMap<>();
    List<ChatClient> clients = new ArrayList<>();
    try {
      for (String m : members) {
        GroupInbox inbox = new GroupInbox();
        ChatClient c = connect(m, inbox);
        clients.add(c);
        inboxes.put(m, inbox);
        MultiDeviceIntegrationTest.awaitDevices(c, m, 1); // its own budget, not alice's
      }
      GroupInbox alices = new GroupInbox();
      ChatClient alice = connect("alice", alices);
      clients.add(alice);

      GroupView team = alice.createGroup("team", members);
      assertThat(team.members()).hasSize(MEMBERS + 1);
      SendResult hello = alice.sendToGroup("#team", "hello, all");
      assertThat(hello.results())
          .extracting(dev.ztchat.core.protocol.Frame.Delivery::user)
          .containsAll(members);
      for (Map.Entry<String, GroupInbox> e : inboxes.entrySet()) {
        assertThat(e.getValue().next(1))
            .as("%s gets the first message", e.getKey())
            .containsExactly("#team alice: hello, all");
      }
    } finally {
      for (ChatClient c : clients) {
        c.close();
      }
    }
  }
}
