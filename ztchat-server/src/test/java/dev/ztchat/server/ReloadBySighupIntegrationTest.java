package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP sent to a real relay process (what systemd's ExecReload= does) swaps in a new server
 * certificate: a client connected before stays connected, a new client sees the new certificate.
 */
class ReloadBySighupIntegrationTest {
  @TempDir Path dir;

  @Test
  void sighup_reloadsTheServerCertificate_whileAClientStaysConnected() throws Exception {
    TestPki pki = TestPki.create("alice", "bob");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    ReloadableRelayProcess.Running running =
        ReloadableRelayProcess.launch(certs.root(), dir.resolve("data"));
    Process relay = running.process();
    List<String> output = running.output();
    int port = running.port();
    try {
      Assumptions.assumeTrue(
          running.reloadsOnSighup(),
          "these tests run in a process that ignores SIGHUP (started under nohup), and so does"
              + " the relay they start: SIGHUP cannot reach it");
      try (RawFrameClient alice = connect(port, pki, "alice")) {
        assertThat(alice.serverCertificate()).isEqualTo(pki.server().certificate());
        Credential renewed =
            CertificateIssuer.issueServer(
                pki.ca(),
                "ztchat-server",
                List.of("localhost", "127.0.0.1"),
                TestPki.TEST_KEY_BITS,
                Instant.now().minus(Duration.ofMinutes(5)),
                Duration.ofDays(60));
        PemFiles.writePrivateKey(certs.serverKey(), renewed.privateKey(), true);
        PemFiles.writeCertificate(certs.serverCertificate(), renewed.certificate(), true);

        Process kill = new ProcessBuilder("kill", "-HUP", "" + relay.pid()).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();

        assertThat(
                Polling.eventually(
                    Duration.ofSeconds(20),
                    () -> output.stream().anyMatch(l -> l.contains("SIGHUP: reloading"))))
            .as("the relay handled the signal: %s", output)
            .isTrue();
        assertThat(
                Polling.eventually(
                    Duration.ofSeconds(20),
                    () -> renewed.certificate().equals(presented(port, pki, "bob"))))
            .as("a new client sees the new certificate")
            .isTrue();
        assertThat(alice.pingRoundTrip("after-reload")).isPositive();
        assertThat(relay.isAlive()).isTrue();
      }
    } finally {
      relay.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRelayStartedUnderNohup_saysSighupCannotReloadIt_andStillRuns() throws Exception {
    TestPki pki = TestPki.create("alice");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    ReloadableRelayProcess.Running running =
        ReloadableRelayProcess.launch(certs.root(), dir.resolve("data"), List.of("nohup"));
    try {
      assertThat(running.reloadsOnSighup()).isFalse();
      assertThat(running.output())
          .anyMatch(l -> l.contains("SIGHUP reload unavailable: this process ignores SIGHUP"));
      try (RawFrameClient alice = connect(running.port(), pki, "alice")) {
        assertThat(alice.pingRoundTrip("still-serving")).isPositive();
      }
    } finally {
      running.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static RawFrameClient connect(int port, TestPki pki, String user) throws Exception {
    return RawFrameClient.connectWelcomed(
        "127.0.0.1", port, pki.user(user).signing(), pki.ca().certificate());
  }

  static X509Certificate presented(int port, TestPki pki, String user) {
    try (RawFrameClient c = connect(port, pki, user)) {
      return c.serverCertificate();
    } catch (Exception e) {
      return null;
    }
  }
}
