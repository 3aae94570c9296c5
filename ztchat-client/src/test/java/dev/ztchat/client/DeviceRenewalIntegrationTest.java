package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.RenewalIntegrationTest.Screen;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.PkiRevocation;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewal ({@code pki renew}) of a user with a device certificate while their client runs: the
 * client carries on with the renewed version-1 keys, says to restart for the new device
 * certificate, and meanwhile seals nothing with the renewed-away device key, and nothing in version
 * 1 to a peer who uses version 2.
 */
class DeviceRenewalIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    certs = pki.writeTo(dir.resolve("certs"));
    certs.writeDevice("bob", pki.device("bob"), true);
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig bobFromTheCertsFolder() throws Exception {
    KeyReload reload = KeyReload.fromCertsFolder(certs.root(), "bob");
    KeyReload.StoredKeys keys = reload.read();
    return new ChatClientConfig(
            "localhost",
            server.port(),
            keys.me(),
            pki.ca().certificate(),
            dir.resolve("b"),
            AcceptancePolicy.DEFAULT,
            Clock.systemUTC(),
            keys.previousEncryption())
        .withKeyReload(reload)
        .withDevice(certs.readDevice("bob"));
  }

  @Test
  void renewedWhileRunning_carriesOnInVersion1Keys_andHoldsVersion2MessagesUntilARestart()
      throws Exception {
    Screen bobScreen = new Screen();
    try (ChatClient alice =
            ChatClient.connect(
                ChatClientConfig.of(
                        "localhost",
                        server.port(),
                        pki.user("alice"),
                        pki.ca().certificate(),
                        dir.resolve("a"))
                    .withDevice(pki.device("alice")),
                new Screen());
        ChatClient bob = ChatClient.connect(bobFromTheCertsFolder(), bobScreen)) {
      V2ConversationIntegrationTest.awaitPrekeys(bob, "alice");
      V2ConversationIntegrationTest.awaitPrekeys(alice, "bob");
      alice.send("bob", "in version 2");
      assertThat(bobScreen.next().version()).isEqualTo(2);

      new PkiRevocation(certs, Clock.systemUTC(), line -> {})
          .renew("bob", TestPki.TEST_KEY_BITS, 30, Duration.ofDays(7));

      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(60),
                  () -> bobScreen.notices.contains(ChatClient.DEVICE_RENEWED_NOTICE)))
          .as("told: " + bobScreen.states)
          .isTrue();
      assertThat(Polling.eventually(Duration.ofSeconds(30), bob::isConnected)).isTrue();
      assertThatThrownBy(() -> bob.send("alice", "after the renewal"))
          .isInstanceOf(PeerKeysWithheldException.class);
    }
  }
}
