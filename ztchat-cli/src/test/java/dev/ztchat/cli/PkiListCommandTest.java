package dev.ztchat.cli;

import static dev.ztchat.cli.PkiCommandTest.init;
import static dev.ztchat.cli.PkiCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.cli.PkiCommandTest.Run;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyFingerprint;
import dev.ztchat.core.pki.PemFiles;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiListCommandTest {
  @TempDir Path dir;

  @Test
  void list_printsOneLinePerCertificateWithFingerprintExpiryAndStatus() throws Exception {
    Path certs = dir.resolve("certs");
    init(certs);
    CertsLayout layout = new CertsLayout(certs);

    Run r = run("pki", "list", "--dir", certs.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.outLines();
    assertThat(lines).hasSize(9); // header, ca, server, and each user's signing/encryption/device
    assertThat(lines.get(0))
        .startsWith("NAME")
        .contains("ROLE", "SHA-256 FINGERPRINT", "EXPIRES", "STATUS");
    X509Certificate ca = PemFiles.readCertificate(layout.caCertificate());
    assertThat(lines.get(1))
        .startsWith("ztchat root CA")
        .contains(" ca ")
        .contains(KeyFingerprint.of(ca))
        .contains(
            DateTimeFormatter.ISO_LOCAL_DATE
                .withZone(ZoneOffset.UTC)
                .format(ca.getNotAfter().toInstant()))
        .endsWith("valid");
    assertThat(lines.get(2)).startsWith("ztchat-server").contains(" server ");
    X509Certificate bobEncryption = PemFiles.readCertificate(layout.encryptionCertificate("bob"));
    assertThat(lines.get(7))
        .startsWith("bob")
        .contains(" encryption ")
        .contains(KeyFingerprint.of(bobEncryption))
        .endsWith("valid");
    X509Certificate bobDevice = PemFiles.readCertificate(layout.deviceCertificate("bob"));
    assertThat(lines.get(8))
        .startsWith("bob")
        .contains(" device ")
        .contains(KeyFingerprint.of(bobDevice))
        .endsWith("valid");
    assertThat(r.out()).doesNotContain("PRIVATE");
  }

  @Test
  void list_showsExpiringAndExpiredCertificates() throws Exception {
    Path certs = dir.resolve("certs");
    init(certs, "--users", "alice");
    CertsLayout layout = new CertsLayout(certs);
    Credential ca =
        new Credential(
            PemFiles.readCertificate(layout.caCertificate()),
            PemFiles.readPrivateKey(layout.caKey()));
    Instant now = Instant.now();
    PemFiles.writeCertificate(
        layout.signingCertificate("alice"),
        signed(
            ca,
            CertificateRole.USER_SIGNING,
            now.minus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(10)).plusSeconds(3600)),
        true);
    PemFiles.writeCertificate(
        layout.encryptionCertificate("alice"),
        signed(
            ca,
            CertificateRole.USER_ENCRYPTION,
            now.minus(Duration.ofDays(30)),
            now.minus(Duration.ofDays(1))),
        true);

    Run r = run("pki", "list", "--dir", certs.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.outLines().get(3)).startsWith("alice").endsWith("expires in 10 days");
    assertThat(r.outLines().get(4)).startsWith("alice").endsWith("EXPIRED");
  }

  @Test
  void list_folderWithoutCa_saysToRunInitFirst() {
    Path empty = dir.resolve("empty");

    Run r = run("pki", "list", "--dir", empty.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly(
            "ztchat pki list: no root CA in "
                + empty
                + " ("
                + empty.resolve("ca.crt")
                + " not found): run ./ztchat pki init first");
  }

  private static X509Certificate signed(
      Credential ca, CertificateRole role, Instant notBefore, Instant notAfter) {
    KeyPair keys = CertificateIssuer.generateRsaKeyPair(2048);
    return CertificateIssuer.build(
        new CertificateIssuer.Spec(
            "alice", keys.getPublic(), ca, null, notBefore, notAfter, role, List.of()));
  }
}
