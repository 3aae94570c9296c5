package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.store.OfflineQueue;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConnectionCertificateTest {
  static TestPki pki;

  @BeforeAll
  static void pki() {
    pki = TestPki.create("alice");
  }

  @Test
  void aDeviceCertificate_readsForItsDeviceId_andIsNamedWhenItsDeviceNameIsNotTheDefault() {
    Credential phone =
        CertificateIssuer.issueDevice(
            pki.ca(), "alice", "phone", Instant.now().minusSeconds(60), Duration.ofDays(1), null);

    ConnectionCertificate kept = ConnectionCertificate.of(phone.certificate());

    assertThat(kept.device())
        .isEqualTo(HexFormat.of().formatHex(Certificates.sha256(phone.certificate())));
    assertThat(kept.namedDevice()).isTrue();
    assertThat(kept.serial()).isEqualTo(phone.certificate().getSerialNumber());
  }

  @Test
  void aDeviceCertificateWithTheDefaultName_isNotNamed() {
    ConnectionCertificate kept = ConnectionCertificate.of(pki.device("alice").certificate());

    assertThat(kept.device()).isNotEqualTo(OfflineQueue.ANY_DEVICE);
    assertThat(kept.namedDevice()).isFalse();
  }

  @Test
  void aVersion1Certificate_readsForAnyDevice() {
    ConnectionCertificate kept =
        ConnectionCertificate.of(pki.user("alice").signing().certificate());

    assertThat(kept.device()).isEqualTo(OfflineQueue.ANY_DEVICE);
    assertThat(kept.namedDevice()).isFalse();
  }

  @Test
  void aBoundConnection_keepsWhatItNeedsOfItsCertificate_notTheCertificate() {
    EmbeddedChannel ch = new EmbeddedChannel();
    Credential laptop = pki.device("alice");

    ConnectionIdentity.bind(ch, "alice", laptop.certificate());

    assertThat(ConnectionIdentity.certificateOf(ch))
        .isEqualTo(ConnectionCertificate.of(laptop.certificate()));
    assertThat(DeliveryService.deviceOf(ch))
        .isEqualTo(HexFormat.of().formatHex(Certificates.sha256(laptop.certificate())));
  }
}
