package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.ConnectionLimits;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.file.Path;
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
}
