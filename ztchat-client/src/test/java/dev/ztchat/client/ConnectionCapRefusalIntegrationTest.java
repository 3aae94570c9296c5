package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.ConnectionLimits;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection over the relay's per-user cap: the user is told which cap, not to check
 * certificates.
 */
class ConnectionCapRefusalIntegrationTest {
  @TempDir Path dir;

  @Test
  void connectionOverThePerUserCap_failsWithTheRelaysReason() throws Exception {
    TestPki pki = TestPki.create("alice");
    var certs = pki.writeTo(dir.resolve("certs"));
    try (RelayServer server =
            RelayServer.start(
                RelayServerConfig.defaults(certs, dir.resolve("relay"))
                    .withPort(0)
                    .withConnectionLimits(new ConnectionLimits(1, 100, 32)));
        RelayConnection first =
            RelayConnection.connect(
                "localhost", server.port(), pki.user("alice").signing(), pki.ca().certificate())) {
      assertThatThrownBy(
              () ->
                  RelayConnection.connect(
                          "localhost",
                          server.port(),
                          pki.user("alice").signing(),
                          pki.ca().certificate())
                      .close())
          .isInstanceOf(IOException.class)
          .hasMessageContaining(
              "the server refused the connection: too many connections for alice (limit 1)")
          .hasMessageNotContaining("certificate");
    }
  }

  @Test
  void aRelayThatTurnsTheConnectionAway_isSkippedForTheNextRelay() throws Exception {
    TestPki pki = TestPki.create("alice");
    var certs = pki.writeTo(dir.resolve("certs"));
    List<ConnectionStatus> states = new CopyOnWriteArrayList<>();
    ChatListener screen =
        new ChatClientIntegrationTest.Inbox() {
          @Override
          public void onConnectionState(ConnectionStatus status) {
            states.add(status);
          }
        };
    try (RelayServer full =
            RelayServer.start(
                RelayServerConfig.defaults(certs, dir.resolve("full"))
                    .withPort(0)
                    .withConnectionLimits(new ConnectionLimits(1, 100, 32)));
        RelayServer next =
            RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("next")).withPort(0));
        RelayConnection holding =
            RelayConnection.connect(
                "localhost", full.port(), pki.user("alice").signing(), pki.ca().certificate());
        ChatClient alice =
            ChatClient.connect(
                ChatClientConfig.of(
                        "localhost",
                        full.port(),
                        pki.user("alice"),
                        pki.ca().certificate(),
                        dir.resolve("alice"))
                    .withRelays(
                        RelayEndpoints.parse(
                            "localhost:" + full.port() + ",localhost:" + next.port())),
                screen)) {
      assertThat(alice.connection().relay())
          .isEqualTo(new RelayEndpoints.Endpoint("localhost", next.port()));
      assertThat(states)
          .map(ConnectionStatus::describe)
          .contains("connected to localhost:" + next.port());
      assertThat(holding.isOpen()).as("the first relay kept its own connection").isTrue();
    }
  }
}
