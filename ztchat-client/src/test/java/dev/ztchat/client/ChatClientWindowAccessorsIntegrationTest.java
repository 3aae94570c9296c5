package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a window reads from the client besides messages: the stored conversations, the texts waiting
 * unsealed while offline, the composer's limit, and a contact checked as sending would.
 */
class ChatClientWindowAccessorsIntegrationTest {
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
        "localhost",
        server.port(),
        pki.user(name),
        pki.ca().certificate(),
        dir.resolve("data-" + name));
  }

  @Test
  void conversations_listEveryStoredPeer_latestFirst() throws Exception {
    ChatClientIntegrationTest.Inbox bobInbox = new ChatClientIntegrationTest.Inbox();
    try (ChatClient alice =
            ChatClient.connect(config("alice"), new ChatClientIntegrationTest.Inbox());
        ChatClient bob = ChatClient.connect(config("bob"), bobInbox)) {
      assertThat(alice.conversations()).isEmpty();
      alice.send("bob", "one");
      alice.send("carol", "two");
      assertThat(alice.conversations()).containsExactly("carol", "bob");
      alice.send("bob", "three");
      assertThat(alice.conversations()).containsExactly("bob", "carol");
      assertThat(bobInbox.next().text()).isEqualTo("one");
      assertThat(bob.conversations()).containsExactly("alice");
    }
  }

  @Test
  void waiting_holdsTheTextsTypedOffline_untilTheyAreSealed() throws Exception {
    try (ChatClient alice =
        ChatClient.connect(config("alice"), new ChatClientIntegrationTest.Inbox())) {
      server.close();
      assertThat(Polling.eventually(Duration.ofSeconds(20), () -> !alice.isConnected())).isTrue();
      alice.sendOrKeep("bob", "first, offline");
      alice.sendOrKeep("bob", "second, offline");
      alice.sendOrKeep("carol", "for carol");
      assertThat(alice.waiting("bob")).containsExactly("first, offline", "second, offline");
      assertThat(alice.waiting("carol")).containsExactly("for carol");
      assertThat(alice.history("bob", 10)).isEmpty();
      int max = alice.maxTextBytes("bob");
      assertThat(max).isPositive();
      assertThatThrownBy(() -> alice.sendOrKeep("bob", "x".repeat(max + 1)))
          .isInstanceOf(MessageTooLongException.class);
      alice.sendOrKeep("bob", "y".repeat(max)); // the limit shown is one that is accepted
      assertThat(alice.waiting("bob")).hasSize(3);
      assertThat(alice.waiting("bob").getLast().getBytes(StandardCharsets.UTF_8)).hasSize(max);
    }
  }

  @Test
  void checkContact_refusesARevokedContact_andNamesTheRevocation() throws Exception {
    try (ChatClient alice =
        ChatClient.connect(config("alice"), new ChatClientIntegrationTest.Inbox())) {
      assertThat(alice.checkContact("carol").name()).isEqualTo("carol");
      CrlFiles.write(
          certs.crl(),
          pki.revoke(pki.user("carol").signing().certificate(), RevocationReason.KEY_COMPROMISE));
      server.reloadRevocations();
      assertThat(Polling.eventually(Duration.ofSeconds(30), () -> refreshed(alice))).isTrue();
      assertThatThrownBy(() -> alice.checkContact("carol"))
          .isInstanceOf(UntrustedContactException.class)
          .hasMessageContaining("was revoked by the CA");
      assertThat(alice.checkContact("bob").name()).isEqualTo("bob");
    }
  }

  private static boolean refreshed(ChatClient c) {
    try {
      return c.refreshRevocations() > 0;
    } catch (IOException e) {
      return false;
    }
  }
}
