package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certs folder's {@code users/NAME/device.crt} reaches the directory as a device only. */
class CertsWatcherDeviceTest {
  @TempDir Path dir;

  @Test
  void deviceCrt_isLearnedAsDevice_notAsSigning_andAMisplacedRsaCertificateIsSkipped()
      throws Exception {
    TestPki pki = TestPki.create("alice", "bob");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    Credential device =
        CertificateIssuer.issueDevice(
            pki.ca(),
            "alice",
            Instant.now().minus(Duration.ofMinutes(5)),
            Duration.ofDays(3),
            null);
    certs.writeDevice("alice", device, true);
    // an RSA signing certificate put where a device certificate belongs
    Files.createDirectories(certs.userDir("bob"));
    PemFiles.writeCertificate(
        certs.deviceCertificate("bob"), pki.user("bob").signing().certificate(), true);
    Directory directory =
        new Directory(new CertificateVerifier(pki.ca().certificate()), Clock.systemUTC());

    try (CertsWatcher watcher = new CertsWatcher(certs, directory)) {
      watcher.reload();
    }

    assertThat(directory.currentDeviceCertificates("alice")).containsExactly(device.certificate());
    assertThat(directory.lookup("alice").orElseThrow().signing())
        .isEqualTo(pki.user("alice").signing().certificate());
    assertThat(directory.currentDeviceCertificates("bob")).isEmpty();
    assertThat(directory.lookup("bob").orElseThrow().signing())
        .isEqualTo(pki.user("bob").signing().certificate());
  }
}
