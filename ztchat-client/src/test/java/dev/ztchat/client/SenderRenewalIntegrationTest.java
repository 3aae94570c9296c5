package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.PkiAdmin;
import dev.ztchat.core.pki.PkiRevocation;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender renews (`pki renew`) while a message of theirs waits for an offline recipient: the
 * recipient checks it with the sender's earlier signing certificate from the directory, and check
 * 3b (docs/PROTOCOL.md section 7) accepts the superseded key for messages dated before the renewal
 * only.
 */
class SenderRenewalIntegrationTest {
  @TempDir Path dir;
  CertsLayout certs;
  X509Certificate ca;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    certs = new CertsLayout(dir.resolve("certs"));
    new PkiAdmin(certs, Clock.systemUTC(), line -> {})
        .init(
            PkiAdmin.InitOptions.defaults()
                .withUsers(List.of("alice", "bob"))
                .withKeyBits(TestPki.TEST_KEY_BITS));
    ca = PemFiles.readCertificate(certs.caCertificate());
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig config(UserIdentity id, Clock clock, Credential... previousEncryption) {
    return new ChatClientConfig(
        "localhost",
        server.port(),
        id,
        ca,
        dir.resolve("data-" + id.name()),
        AcceptancePolicy.DEFAULT,
        clock,
        List.of(previousEncryption));
  }

  @Test
  void messageSealedBeforeTheSenderRenewed_isShownAsGenuine_butTheOldKeyCountsForNothingAfterwards()
      throws Exception {
    UserIdentity oldAlice = certs.readUser("alice");
    // written a minute before the renewal, while bob is offline
    try (ChatClient alice =
        ChatClient.connect(
            config(oldAlice, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-1))),
            new Inbox())) {
      assertThat(alice.send("bob", "sent before alice renewed").statusOf("bob"))
          .isEqualTo(DeliveryStatus.QUEUED);
    }

    new PkiRevocation(certs, Clock.systemUTC(), line -> {})
        .renew("alice", TestPki.TEST_KEY_BITS, 30, Duration.ofDays(7));
    server.reloadRevocations();
    assertThat(
            Polling.eventually(
                Duration.ofSeconds(10),
                () ->
                    server.currentRevocationList() != null
                        && server
                                .currentRevocationList()
                                .getRevokedCertificate(
                                    oldAlice.signing().certificate().getSerialNumber())
                            != null))
        .as("the relay holds the CRL that says alice's old keys were superseded")
        .isTrue();

    UserIdentity newAlice = certs.readUser("alice");
    try (ChatClient alice =
        ChatClient.connect(
            config(newAlice, Clock.systemUTC(), oldAlice.encryption()), new Inbox())) {
      assertThat(alice.send("bob", "after the renewal").statusOf("bob"))
          .isEqualTo(DeliveryStatus.QUEUED);
    }
    // someone holding alice's superseded key writes after the renewal
    var late =
        new RsaOaepAesGcmSealer(oldAlice, Clock.systemUTC())
            .seal(
                MessageContent.text("signed with the old key afterwards"),
                List.of(new RecipientKey("bob", certs.readUser("bob").encryption().certificate())));
    try (RelayConnection raw =
        RelayConnection.connect("localhost", server.port(), newAlice.signing(), ca)) {
      raw.request(new Frame.Send("s", EnvelopeCodec.encode(late)), "s", Duration.ofSeconds(10));
    }

    Inbox bobInbox = new Inbox();
    try (ChatClient bob =
        ChatClient.connect(config(certs.readUser("bob"), Clock.systemUTC()), bobInbox)) {
      assertThat(bobInbox.next().text()).isEqualTo("sent before alice renewed");
      assertThat(bobInbox.next().text()).isEqualTo("after the renewal");
      assertThat(bobInbox.reasons.poll(10, TimeUnit.SECONDS))
          .isEqualTo(RejectionReason.SENDER_REVOKED);
      assertThat(bobInbox.messages.poll(1, TimeUnit.SECONDS)).isNull();
      assertThat(bobInbox.reasons).as("nothing reported as forged").isEmpty();
    }
  }
}
