package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the relay refuses this device's own certificate, the client learns why from the TLS alert
 * and stops retrying: revoked, expired or foreign certificates cannot start working by waiting.
 */
class CertificateRefusalIntegrationTest {
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

  void revoke(UserIdentity who) throws Exception {
    pki.revoke(who.signing().certificate(), RevocationReason.KEY_COMPROMISE);
    CrlFiles.write(
        certs.crl(), pki.revoke(who.encryption().certificate(), RevocationReason.KEY_COMPROMISE));
  }

  @Test
  void aRevokedDeviceIsToldItWasRevoked() throws Exception {
    revoke(pki.user("alice"));
    assertThat(
            Polling.eventually(
                Duration.ofSeconds(5),
                () -> refusal(pki.user("alice")) instanceof CertificateRefusedException))
        .isTrue();

    assertThat(refusal(pki.user("alice")))
        .isInstanceOf(CertificateRefusedException.class)
        .hasMessageContaining("revoked by the CA")
        .satisfies(
            e ->
                assertThat(((CertificateRefusedException) e).remedy())
                    .contains(Remedy.of(Remedy.Kind.RENEW_USER)))
        .message()
        .doesNotContain("./ztchat", "pki ");
  }

  @Test
  void anExpiredDeviceIsToldItExpired() {
    UserIdentity expired =
        CertificateIssuer.issueUser(
            pki.ca(),
            "bob",
            TestPki.TEST_KEY_BITS,
            Instant.now().minus(Duration.ofDays(10)),
            Duration.ofDays(1));

    assertThat(refusal(expired))
        .isInstanceOf(CertificateRefusedException.class)
        .hasMessageContaining("expired");
  }

  @Test
  void aDeviceFromAnotherCaIsToldItIsNotFromTheRelaysCa() {
    UserIdentity foreign = TestPki.rogue("bob").user("bob");

    assertThat(refusal(foreign))
        .isInstanceOf(CertificateRefusedException.class)
        .hasMessageContaining("not from the relay's CA");
  }

  @Test
  void aClientRevokedWhileConnectedStopsRetryingAndSaysWhy() throws Exception {
    List<ConnectionStatus> states = new CopyOnWriteArrayList<>();
    Inbox inbox =
        new Inbox() {
          @Override
          public void onConnectionState(ConnectionStatus status) {
            states.add(status);
          }
        };
    try (ChatClient alice =
        ChatClient.connect(
            ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user("alice"),
                pki.ca().certificate(),
                dir.resolve("a")),
            inbox)) {
      revoke(pki.user("alice"));

      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(30),
                  () -> states.stream().anyMatch(s -> s.state() == ConnectionState.REFUSED)))
          .as("refused: " + states)
          .isTrue();
    }
    // closing waited for the reconnect loop: a retry would have reported a state after the refusal
    ConnectionStatus last = states.get(states.size() - 1);
    assertThat(last.state()).as("states: " + states).isEqualTo(ConnectionState.REFUSED);
    assertThat(last.describe()).contains("revoked by the CA").endsWith("; not retrying");
  }

  @Test
  void aRefusedCertificate_isReported_notTakenAsAReasonToTryTheNextRelay() throws Exception {
    revoke(pki.user("alice"));
    assertThat(
            Polling.eventually(
                Duration.ofSeconds(5),
                () -> refusal(pki.user("alice")) instanceof CertificateRefusedException))
        .isTrue();
    try (ServerSocket nextRelay = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      ChatClientConfig config =
          ChatClientConfig.of(
                  "localhost",
                  server.port(),
                  pki.user("alice"),
                  pki.ca().certificate(),
                  dir.resolve("a"))
              .withRelays(
                  RelayEndpoints.parse(
                      "localhost:" + server.port() + ",localhost:" + nextRelay.getLocalPort()));

      assertThatThrownBy(() -> ChatClient.connect(config, new Inbox()))
          .isInstanceOf(CertificateRefusedException.class)
          .hasMessageContaining("revoked by the CA");

      List<ConnectionStatus> states = new CopyOnWriteArrayList<>();
      Inbox inbox =
          new Inbox() {
            @Override
            public void onConnectionState(ConnectionStatus status) {
              states.add(status);
            }
          };
      try (ChatClient alice = ChatClient.start(config, inbox)) {
        assertThat(
                Polling.eventually(
                    Duration.ofSeconds(10),
                    () -> states.stream().anyMatch(s -> s.state() == ConnectionState.REFUSED)))
            .as("refused: " + states)
            .isTrue();
      }
      assertThat(states.getLast().describe())
          .startsWith("refused by localhost:" + server.port())
          .contains("revoked by the CA");
      nextRelay.setSoTimeout(200);
      assertThatThrownBy(nextRelay::accept)
          .as("the next relay was never tried")
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  private Exception refusal(UserIdentity who) {
    try (RelayConnection c =
        RelayConnection.connect(
            "localhost", server.port(), who.signing(), pki.ca().certificate())) {
      return null;
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void aRefusedFirstConnectFailsWithTheReason() throws Exception {
    revoke(pki.user("bob"));
    assertThat(
            Polling.eventually(
                Duration.ofSeconds(5),
                () -> refusal(pki.user("bob")) instanceof CertificateRefusedException))
        .isTrue();

    assertThatThrownBy(
            () ->
                ChatClient.connect(
                    ChatClientConfig.of(
                        "localhost",
                        server.port(),
                        pki.user("bob"),
                        pki.ca().certificate(),
                        dir.resolve("b")),
                    new Inbox()))
        .isInstanceOf(CertificateRefusedException.class)
        .hasMessageContaining("revoked");
  }
}
