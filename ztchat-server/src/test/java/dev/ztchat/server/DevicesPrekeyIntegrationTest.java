package dev.ztchat.server;

import static dev.ztchat.server.PrekeyTestSupport.answer;
import static dev.ztchat.server.PrekeyTestSupport.deviceId;
import static dev.ztchat.server.PrekeyTestSupport.prekey;
import static dev.ztchat.server.PrekeyTestSupport.publishDevice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.session.PrekeyKind;
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
 * Prekeys of several devices of one person on a real relay (docs/v2/devices.md section 5): each
 * device keeps its own prekeys, a bundle can be asked for one device, and the answer lists the
 * person's current devices, never a revoked one.
 */
class DevicesPrekeyIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  Credential laptop;
  Credential phone;
  Credential tablet;
  CertsLayout certs;
  RelayServer server;

  Credential device(String name) {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        "bob",
        name,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    laptop = device("laptop");
    phone = device("phone");
    tablet = device("tablet");
    certs = pki.writeTo(dir.resolve("certs"));
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

  void publish(Credential device) throws Exception {
    try (RawFrameClient c = connect(device)) {
      assertThat(
              publishDevice(
                  c,
                  device.certificate(),
                  prekey(PrekeyKind.SIGNED_X25519, 1),
                  prekey(PrekeyKind.LAST_RESORT_ML_KEM_768, 1)))
          .isInstanceOf(Frame.PrekeyStock.class);
    }
  }

  @Test
  void everyDeviceKeepsItsPrekeys_aBundlePerDevice_andTheListOfCurrentDevices() throws Exception {
    publish(laptop);
    publish(phone);

    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      Frame newest = answer(alice, new Frame.BundleRequest("b1", "bob"));
      Frame first =
          answer(alice, new Frame.BundleRequest("b2", "bob", deviceId(laptop.certificate())));

      assertThat(newest).isInstanceOf(Frame.PrekeyBundle.class);
      assertThat(((Frame.PrekeyBundle) newest).device()).isEqualTo(deviceId(phone.certificate()));
      assertThat(((Frame.PrekeyBundle) newest).devices())
          .containsExactly(deviceId(phone.certificate()), deviceId(laptop.certificate()));
      assertThat(first).isInstanceOf(Frame.PrekeyBundle.class);
      assertThat(((Frame.PrekeyBundle) first).device()).isEqualTo(deviceId(laptop.certificate()));
    }
  }

  @Test
  void aDevicePublishingInSteps_isNotRefused_whenAnotherDeviceOfThePersonRegisteredMeanwhile()
      throws Exception {
    try (RawFrameClient onLaptop = connect(laptop)) {
      assertThat(
              publishDevice(
                  onLaptop, laptop.certificate(), prekey(PrekeyKind.SIGNED_X25519, 1), null))
          .isInstanceOf(Frame.PrekeyStock.class);
      publish(phone); // the phone registers between the laptop's certificate and its next frame

      Frame next =
          answer(
              onLaptop,
              new Frame.PublishPrekeys(
                  "next",
                  deviceId(laptop.certificate()),
                  null,
                  null,
                  prekey(PrekeyKind.LAST_RESORT_ML_KEM_768, 1),
                  java.util.List.of()));

      assertThat(next).isInstanceOf(Frame.PrekeyStock.class);
    }
  }

  @Test
  void aRevokedDevice_isNeitherListedNorHandedOut() throws Exception {
    publish(laptop);
    publish(tablet);
    CrlFiles.write(certs.crl(), pki.revoke(tablet.certificate(), RevocationReason.KEY_COMPROMISE));
    server.close();
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("data")).withPort(0));

    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      Frame newest = answer(alice, new Frame.BundleRequest("b1", "bob"));
      Frame revoked =
          answer(alice, new Frame.BundleRequest("b2", "bob", deviceId(tablet.certificate())));

      assertThat(((Frame.PrekeyBundle) newest).device()).isEqualTo(deviceId(laptop.certificate()));
      assertThat(((Frame.PrekeyBundle) newest).devices())
          .containsExactly(deviceId(laptop.certificate()));
      assertThat(revoked).isInstanceOf(Frame.Error.class);
      assertThat(((Frame.Error) revoked).code()).isEqualTo(ErrorCode.NO_PREKEYS);
    }
  }
}
