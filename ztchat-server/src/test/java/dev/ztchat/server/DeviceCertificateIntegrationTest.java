package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real relay and v2 device certificates (docs/v2/device-certificates.md) as TLS client
 * certificates: a device is welcomed under its CN, a revoked one gets {@code certificate_revoked},
 * RSA users still connect, and the directory never hands out a device key as a v1 signing key.
 */
class DeviceCertificateIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  Credential aliceDevice;
  Credential carolDevice;
  Credential erinDevice;
  RelayServer server;

  Credential device(String name) {
    return CertificateIssuer.issueDevice(
        pki.ca(), name, Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(30), null);
  }

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    aliceDevice = device("alice");
    carolDevice = device("carol");
    erinDevice = device("erin"); // a user the certs folder has no v1 identity for
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    certs.writeDevice("alice", aliceDevice, true);
    CrlFiles.write(
        certs.crl(), pki.revoke(carolDevice.certificate(), RevocationReason.KEY_COMPROMISE));
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("data")).withPort(0));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  RawFrameClient connect(Credential credential) throws Exception {
    return RawFrameClient.connectWelcomed(
        "127.0.0.1", server.port(), credential, pki.ca().certificate());
  }

  /**
   * The relay's {@code certificates} or {@code error} answer to the directory request {@code ref}.
   */
  static Frame directoryAnswer(RawFrameClient c, String ref) throws Exception {
    for (int i = 0; i < 16; i++) {
      Frame f = c.read(Duration.ofSeconds(5));
      if ((f instanceof Frame.Certificates cs && ref.equals(cs.ref()))
          || (f instanceof Frame.Error e && ref.equals(e.ref()))) {
        return f;
      }
    }
    throw new AssertionError("no answer to " + ref);
  }

  @Test
  void deviceCertificate_asTlsClientCertificate_getsWelcomeWithItsName() throws Exception {
    try (RawFrameClient alice = connect(aliceDevice)) {
      assertThat(alice.welcome().identity()).isEqualTo("alice");
      assertThat(alice.pingRoundTrip("p1")).isNotNegative();
    }
  }

  @Test
  void revokedDeviceCertificate_getsCertificateRevoked() {
    String outcome;
    try (RawFrameClient carol =
        RawFrameClient.connect(server.port(), carolDevice, pki.ca().certificate(), "TLSv1.3")) {
      outcome = "first read: " + carol.read(Duration.ofSeconds(5)).type();
    } catch (Exception e) {
      outcome = "refused: " + e.getMessage();
    }

    assertThat(outcome).startsWith("refused: ").contains("certificate_revoked");
  }

  @Test
  void rsaUser_stillConnects_besideADevice() throws Exception {
    try (RawFrameClient device = connect(aliceDevice);
        RawFrameClient rsa = connect(pki.user("bob").signing())) {
      assertThat(device.welcome().identity()).isEqualTo("alice");
      assertThat(rsa.welcome().identity()).isEqualTo("bob");
    }
  }

  @Test
  void afterADeviceConnects_theDirectoryStillServesTheRsaSigningCertificate() throws Exception {
    try (RawFrameClient device = connect(aliceDevice);
        RawFrameClient bob = connect(pki.user("bob").signing())) {
      bob.send(new Frame.DirectoryRequest("d1", "alice"));
      Frame answer = directoryAnswer(bob, "d1");

      assertThat(answer).isInstanceOf(Frame.Certificates.class);
      Frame.Certificates certs = (Frame.Certificates) answer;
      assertThat(PemFiles.parseCertificate(certs.signing()))
          .isEqualTo(pki.user("alice").signing().certificate());
      assertThat(certs.earlierSigning()).isEmpty();
    }
  }

  @Test
  void userKnownOnlyByADevice_isNotServedToV1Clients() throws Exception {
    try (RawFrameClient erin = connect(erinDevice);
        RawFrameClient bob = connect(pki.user("bob").signing())) {
      assertThat(erin.welcome().identity()).isEqualTo("erin");

      bob.send(new Frame.DirectoryRequest("d2", "erin"));
      Frame answer = directoryAnswer(bob, "d2");

      assertThat(answer).isInstanceOf(Frame.Error.class);
      assertThat(((Frame.Error) answer).code()).isEqualTo(ErrorCode.UNKNOWN_USER);
    }
  }
}
