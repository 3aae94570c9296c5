package dev.ztchat.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.GroupView;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.terminal.ChatTerminalIntegrationTest.Screen;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Groups on the chat screen: {@code /to #team}, incoming group lines as {@code #team alice: text}
 * (made safe), {@code /group list}, and a change the rule refuses, with bob's screen connected
 * through a real relay.
 */
class ChatTerminalGroupIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig config(String name) {
    return ChatClientConfig.of(
            "localhost", server.port(), pki.user(name), pki.ca().certificate(), dir.resolve(name))
        .withDevice(pki.device(name));
  }

  /** A member's client: the group lines it receives. */
  static final class Member implements ChatListener {
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(OpenedMessage message) {}

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {}

    @Override
    public void onGroupMessage(GroupView group, String sender, OpenedMessage message) {
      lines.add(group.shown() + " " + sender + ": " + message.text());
    }
  }

  @Test
  void groupLinesAreShownSafely_toHashGroupSendsToTheGroup_andAMemberCannotRemove()
      throws Exception {
    Member alices = new Member();
    Member carols = new Member();
    try (ChatClient alice = ChatClient.connect(config("alice"), alices);
        ChatClient carol = ChatClient.connect(config("carol"), carols);
        Screen bob = new Screen(config("bob"), ChatTerminal::run)) {
      bob.awaitShown(s -> s.contains("You are bob."), "the greeting");
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(30),
                  () -> {
                    try {
                      alice.createGroup("team", List.of("bob", "carol"));
                      return true;
                    } catch (Exception notYetPublished) {
                      return false;
                    }
                  }))
          .as("alice creates #team once bob's and carol's keys are at the relay")
          .isTrue();
      bob.awaitShown(s -> s.contains("alice created #team with bob, carol"), "the creation");

      alice.sendToGroup("#team", "\u001b[31mred\u001b[0m and\nbob: forged");
      String shown =
          bob.awaitShown(s -> s.contains("#team alice: "), "alice's group line, made safe");
      assertThat(shown).contains("#team alice: \\e[31mred\\e[0m and");
      assertThat(shown).doesNotContain("\u001b[31m");
      assertThat(shown.lines().filter(l -> l.startsWith("bob: forged")).toList())
          .as("the second line cannot pass for a line of its own")
          .isEmpty();

      bob.type("/to #team");
      bob.awaitShown(s -> s.contains("Now talking to #team (alice, bob, carol)."), "/to #team");
      bob.type("hello all");
      assertThat(alices.lines.poll(15, TimeUnit.SECONDS)).isEqualTo("#team bob: hello all");
      assertThat(carols.lines.poll(15, TimeUnit.SECONDS))
          .isEqualTo("#team alice: \u001b[31mred\u001b[0m and\nbob: forged");
      assertThat(carols.lines.poll(15, TimeUnit.SECONDS)).isEqualTo("#team bob: hello all");

      bob.type("/group list");
      bob.awaitShown(s -> s.contains("#team  alice*, bob, carol"), "the group list");

      bob.type("/group remove team carol");
      bob.awaitShown(s -> s.contains("[!] Refused: "), "the refusal of a member's removal");
      assertThat(alice.group("#team").members()).containsExactly("alice", "bob", "carol");

      bob.type("/to #nope");
      bob.awaitShown(s -> s.contains("no group '#nope' on this device"), "an unknown group");
    }
  }
}
