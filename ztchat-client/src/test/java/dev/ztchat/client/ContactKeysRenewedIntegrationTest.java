package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory still serves a contact's certificates that the CA superseded by a renewal (the
 * relay has not learned the new ones): sending says the keys were renewed, a kind of untrusted
 * contact the outbox keeps waiting, and a compromised key stays a plain refusal.
 */
class ContactKeysRenewedIntegrationTest {
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

  void revokeAlice(RevocationReason reason) throws Exception {
    UserIdentity alice = pki.user("alice");
    pki.revoke(alice.signing().certificate(), reason);
    CrlFiles.write(certs.crl(), pki.revoke(alice.encryption().certificate(), reason));
    server.reloadRevocations();
    assertThat(
            Polling.eventually(
                Duration.ofSeconds(10),
                () ->
                    server.currentRevocationList() != null
                        && server
                                .currentRevocationList()
                                .getRevokedCertificate(
                                    alice.signing().certificate().getSerialNumber())
                            != null))
        .isTrue();
  }

  ChatClient bob() throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
            "localhost",
            server.port(),
            pki.user("bob"),
            pki.ca().certificate(),
            dir.resolve("data-bob")),
        new Inbox());
  }

  @Test
  void sendingToAContactWhoseCertificateWasSuperseded_throwsContactKeysRenewed() throws Exception {
    revokeAlice(RevocationReason.SUPERSEDED);
    try (ChatClient bob = bob()) {
      assertThatThrownBy(() -> bob.send("alice", "hello"))
          .isInstanceOf(ContactKeysRenewedException.class)
          .hasMessageContaining("renewed")
          .hasMessageContaining("nothing was sent");
    }
  }

  @Test
  void sendingToAContactWhoseKeyWasCompromised_isAPlainRefusal() throws Exception {
    revokeAlice(RevocationReason.KEY_COMPROMISE);
    try (ChatClient bob = bob()) {
      assertThatThrownBy(() -> bob.send("alice", "hello"))
          .isInstanceOf(UntrustedContactException.class)
          .isNotInstanceOf(ContactKeysRenewedException.class)
          .hasMessageContaining("revoked");
    }
  }
}
