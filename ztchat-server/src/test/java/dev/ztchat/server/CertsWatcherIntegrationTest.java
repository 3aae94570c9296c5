package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.PkiAdmin;
import dev.ztchat.core.pki.PkiRevocation;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay learns certificates added to or renewed in its certs folder while it runs
 * (docs/PROTOCOL.md section 4.2): a user issued meanwhile is in the directory before they ever
 * connect, and a renewed user's old signing certificate is served as earlier.
 */
class CertsWatcherIntegrationTest {
  @TempDir Path dir;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    certs = new CertsLayout(dir.resolve("certs"));
    admin()
        .init(
            PkiAdmin.InitOptions.defaults()
                .withUsers(List.of("alice", "bob"))
                .withKeyBits(TestPki.TEST_KEY_BITS));
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  PkiAdmin admin() {
    return new PkiAdmin(certs, Clock.systemUTC(), line -> {});
  }

  RawFrameClient connect(String user) throws Exception {
    Credential signing = certs.readUser(user).signing();
    RawFrameClient c =
        RawFrameClient.connect(
            server.port(), signing, PemFiles.readCertificate(certs.caCertificate()));
    c.expect(Frame.Welcome.class);
    return c;
  }

  Frame lookUp(RawFrameClient c, String user) throws Exception {
    c.send(new Frame.DirectoryRequest("d", user));
    return c.read();
  }

  @Test
  void userIssuedWhileTheRelayRuns_isInTheDirectoryBeforeTheyConnect() throws Exception {
    try (RawFrameClient alice = connect("alice")) {
      assertThat(lookUp(alice, "carol"))
          .isInstanceOfSatisfying(
              Frame.Error.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_USER));

      admin().issue("carol", TestPki.TEST_KEY_BITS, 30, false);
      server.reloadCertificates();

      Frame answer = lookUp(alice, "carol");
      assertThat(answer).isInstanceOf(Frame.Certificates.class);
      Frame.Certificates c = (Frame.Certificates) answer;
      assertThat(PemFiles.parseCertificate(c.signing()))
          .isEqualTo(PemFiles.readCertificate(certs.signingCertificate("carol")));
      assertThat(PemFiles.parseCertificate(c.encryption()))
          .isEqualTo(PemFiles.readCertificate(certs.encryptionCertificate("carol")));
    }
  }

  @Test
  void userIssuedWhileTheRelayRuns_isLearnedWithoutAReload() throws Exception {
    admin().issue("carol", TestPki.TEST_KEY_BITS, 30, false);
    try (RawFrameClient alice = connect("alice")) {
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(20),
                  () -> {
                    try {
                      return lookUp(alice, "carol") instanceof Frame.Certificates;
                    } catch (Exception e) {
                      return false;
                    }
                  }))
          .as("the watcher's own polling picks carol up")
          .isTrue();
    }
  }

  @Test
  void renewedUser_isServedWithTheNewCertificates_andTheOldSigningOneAsEarlier() throws Exception {
    X509Certificate oldSigning = PemFiles.readCertificate(certs.signingCertificate("alice"));
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Ping("p"));
      alice.expect(Frame.Pong.class);
    }
    new PkiRevocation(certs, Clock.systemUTC(), line -> {})
        .renew("alice", TestPki.TEST_KEY_BITS, 30, Duration.ofDays(7));
    server.reloadRevocations();
    server.reloadCertificates();

    try (RawFrameClient bob = connect("bob")) {
      Frame.Certificates c = (Frame.Certificates) lookUp(bob, "alice");
      assertThat(PemFiles.parseCertificate(c.signing()))
          .isEqualTo(PemFiles.readCertificate(certs.signingCertificate("alice")));
      assertThat(c.earlierSigning()).hasSize(1);
      assertThat(PemFiles.parseCertificate(c.earlierSigning().getFirst())).isEqualTo(oldSigning);
    }
  }
}
