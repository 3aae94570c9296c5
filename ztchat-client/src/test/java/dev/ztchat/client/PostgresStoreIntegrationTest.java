package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real clients through a real relay whose store is PostgreSQL ({@code --store URL}): a message
 * to an offline user waits in the database, across a restart of the relay, and is shown once when
 * the user connects; then messages flow live.
 */
class PostgresStoreIntegrationTest {
  private static DevPostgres postgres;

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig config;
  RelayServer server;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = DevPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    RelayServerConfig defaults = RelayServerConfig.defaults(certs).withPort(0);
    config = defaults.withQueue(defaults.queue().withStore(postgres.newDatabase()));
    server = RelayServer.start(config);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  ChatClient connect(UserIdentity id, Inbox inbox) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
            "localhost",
            server.port(),
            id,
            pki.ca().certificate(),
            dir.resolve("data-" + id.name())),
        inbox);
  }

  @Test
  void offlineMessage_waitsInPostgres_acrossARelayRestart_thenMessagesFlowLive() throws Exception {
    try (ChatClient alice = connect(pki.user("alice"), new Inbox())) {
      assertThat(alice.send("bob", "while you were away").statusOf("bob"))
          .isEqualTo(DeliveryStatus.QUEUED);
    }
    server.close();
    server = RelayServer.start(config.withPort(0)); // the queue is in the database, not the process

    Inbox bobInbox = new Inbox();
    Inbox aliceInbox = new Inbox();
    try (ChatClient bob = connect(pki.user("bob"), bobInbox);
        ChatClient alice = connect(pki.user("alice"), aliceInbox)) {
      assertThat(bobInbox.next().text()).isEqualTo("while you were away");
      bob.send("alice", "back now");
      assertThat(aliceInbox.next().text()).isEqualTo("back now");
      assertThat(alice.send("bob", "live").statusOf("bob")).isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(bobInbox.next().text()).isEqualTo("live");
      assertThat(bobInbox.messages).as("nothing shown twice").isEmpty();
      assertThat(bobInbox.warnings).isEmpty();
    }
  }
}
