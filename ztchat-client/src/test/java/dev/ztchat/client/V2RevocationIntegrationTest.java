package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version-2 session does not outlive the peer's device certificate: once the CA revoked it,
 * nothing more is sealed on the session (as version 1 refuses to seal to a revoked key).
 */
class V2RevocationIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private ChatClient connect(String user, Inbox inbox) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user(user),
                pki.ca().certificate(),
                dir.resolve("data-" + user))
            .withDevice(pki.device(user)),
        inbox);
  }

  private int storedFor(String recipient) throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("relay").resolve("relay.db"));
        var q = c.prepareStatement("SELECT count(*) FROM queue WHERE recipient = ?")) {
      q.setString(1, recipient);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void afterThePeersDeviceCertificateIsRevoked_nothingMoreIsSealedOnTheSession() throws Exception {
    Inbox aliceInbox = new Inbox();
    Inbox bobInbox = new Inbox();
    try (ChatClient alice = connect("alice", aliceInbox)) {
      try (ChatClient bob = connect("bob", bobInbox)) {
        V2ConversationIntegrationTest.awaitPrekeys(alice, "bob");
        alice.send("bob", "before");
        assertThat(bobInbox.next().version()).isEqualTo(2);
        bob.send("alice", "reply");
        assertThat(aliceInbox.next().version()).isEqualTo(2);
      }
      CrlFiles.write(
          certs.crl(),
          pki.revoke(pki.device("bob").certificate(), RevocationReason.KEY_COMPROMISE));
      server.reloadRevocations(); // asynchronous: the relay serves the new list shortly
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(30),
                  () -> {
                    try {
                      return alice.refreshRevocations() > 0;
                    } catch (IOException e) {
                      return false;
                    }
                  }))
          .as("alice's client has the list that revokes bob's device")
          .isTrue();
      int before = storedFor("bob");

      assertThatThrownBy(() -> alice.send("bob", "after the revocation"))
          .isInstanceOf(UntrustedContactException.class)
          .hasMessageContaining("revoked");
      assertThat(storedFor("bob")).as("nothing reached the relay for bob").isEqualTo(before);
    }
  }
}
