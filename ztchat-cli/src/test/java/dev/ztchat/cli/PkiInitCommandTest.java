package dev.ztchat.cli;

import static dev.ztchat.cli.PkiCommandTest.init;
import static dev.ztchat.cli.PkiCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.cli.PkiCommandTest.Run;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiInitCommandTest {
  @TempDir Path dir;

  @Test
  void init_writesThePkiShowsProgressAndSaysWhereEachFileGoes() throws Exception {
    Path certs = dir.resolve("certs");

    Run r = init(certs, "--san", "chat.example.org");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.errLines())
        .containsExactly(
            "generating root CA (RSA-2048)...",
            "generating server certificate for localhost, 127.0.0.1, chat.example.org"
                + " (RSA-2048)...",
            "generating user alice: signing and encryption keys (RSA-2048)...",
            "generating user alice: device key (ECDSA P-256)...",
            "generating user bob: signing and encryption keys (RSA-2048)...",
            "generating user bob: device key (ECDSA P-256)...");
    assertThat(r.out())
        .contains("wrote 18 files in " + certs)
        .containsPattern("users/alice/device\\.key +\\(0600\\) .* -> alice only")
        .containsPattern(
            "ca\\.key +\\(0600\\) root CA private key +-> the PKI admin only; keep it offline")
        .containsPattern("users/alice/signing\\.key +\\(0600\\) .* -> alice only")
        .contains("./ztchat pki export-server --dir " + certs + " --out server-bundle")
        .contains("./ztchat pki export bob --dir " + certs + " --out bob-bundle");
    assertThat(r.out()).doesNotContain("PRIVATE KEY-----").doesNotContain("BEGIN");
    CertsLayout layout = new CertsLayout(certs);
    assertThat(layout.localIdentities()).containsExactly("alice", "bob");
    assertThat(Files.getPosixFilePermissions(layout.caKey()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(PemFiles.readCertificate(layout.serverCertificate()).getSubjectAlternativeNames())
        .contains(List.of(2, "chat.example.org"));
  }

  @Test
  void init_existingCa_isRefusedWithoutForceNamingTheFile() throws Exception {
    Path certs = dir.resolve("certs");
    init(certs, "--users", "alice");
    String before = Files.readString(certs.resolve("ca.crt"));

    Run r = init(certs, "--users", "alice");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly(
            "ztchat pki init: "
                + certs.resolve("ca.key")
                + " already exists (a root CA is already set up in "
                + certs
                + "; replacing it makes every certificate it issued untrusted): nothing was"
                + " changed: use --force to replace it");
    assertThat(r.out()).isEmpty();
    assertThat(Files.readString(certs.resolve("ca.crt"))).isEqualTo(before);
  }

  @Test
  void init_existingCaWithForce_replacesIt() throws Exception {
    Path certs = dir.resolve("certs");
    init(certs, "--users", "alice");
    String before = Certificates.fingerprint(PemFiles.readCertificate(certs.resolve("ca.crt")));

    Run r = init(certs, "--users", "alice", "--force");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Certificates.fingerprint(PemFiles.readCertificate(certs.resolve("ca.crt"))))
        .isNotEqualTo(before);
  }

  @Test
  void init_withoutKeySize_uses3072BitKeys() throws Exception {
    Path certs = dir.resolve("certs");

    Run r = run("pki", "init", "--dir", certs.toString(), "--users", "alice");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("generating root CA (RSA-3072)...");
    CertsLayout layout = new CertsLayout(certs);
    for (Path cert :
        List.of(
            layout.caCertificate(),
            layout.serverCertificate(),
            layout.signingCertificate("alice"),
            layout.encryptionCertificate("alice"))) {
      X509Certificate x = PemFiles.readCertificate(cert);
      assertThat(((RSAPublicKey) x.getPublicKey()).getModulus().bitLength())
          .as(cert.toString())
          .isEqualTo(3072);
    }
  }

  @Test
  void init_keySize1024_isRejectedWithOneLineAndNoFiles() {
    Path certs = dir.resolve("certs");

    Run r = run("pki", "init", "--dir", certs.toString(), "--key-size", "1024");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly(
            "ztchat pki init: key size 1024 is not allowed: use a multiple of 1024 between 2048"
                + " and 8192 (default 3072)");
    assertThat(certs).doesNotExist();
  }

  @Test
  void init_invalidUserName_isRejectedBeforeGeneratingKeys() {
    Path certs = dir.resolve("certs");

    Run r = init(certs, "--users", "alice,Bob");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .contains("identity name 'Bob' is not allowed");
    assertThat(certs).doesNotExist();
  }

  @Test
  void init_invalidSan_isRejected() {
    Run r = init(dir.resolve("certs"), "--san", "not a host");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("server name 'not a host' is not a valid DNS name or IP address");
  }

  @Test
  void init_nonNumericKeySize_isAUsageError() {
    Run r = run("pki", "init", "--dir", dir.toString(), "--key-size", "big");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Invalid value for option '--key-size'");
  }

  @Test
  void init_keyTypeEc_makesAnEcdsaCaAndServer_thenIssueAndRevokeUseIt() throws Exception {
    Path certs = dir.resolve("certs");

    Run r = init(certs, "--key-type", "ec", "--users", "alice");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.errLines())
        .containsExactly(
            "generating root CA (ECDSA P-256)...",
            "generating server certificate for localhost, 127.0.0.1 (ECDSA P-256)...",
            "generating user alice: signing and encryption keys (RSA-2048)...",
            "generating user alice: device key (ECDSA P-256)...");
    CertsLayout layout = new CertsLayout(certs);
    assertThat(PemFiles.readCertificate(layout.serverCertificate()).getPublicKey())
        .isInstanceOf(ECPublicKey.class);
    assertThat(PemFiles.readCertificate(layout.signingCertificate("alice")).getPublicKey())
        .isInstanceOf(RSAPublicKey.class);

    Run issue = run("pki", "issue", "carol", "--dir", certs.toString(), "--key-size", "2048");
    assertThat(issue.exit()).as(issue.err()).isZero();
    X509Certificate carol = PemFiles.readCertificate(layout.signingCertificate("carol"));
    assertThat(carol.getSigAlgName()).as("follows the CA's key").isEqualTo("SHA256withECDSA");
    Run revoke = run("pki", "revoke", "carol", "--dir", certs.toString());
    assertThat(revoke.exit()).as(revoke.err()).isZero();
    Run list = run("pki", "list", "--dir", certs.toString());
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains("REVOKED").doesNotContain("INVALID");
  }

  @Test
  void init_unknownKeyType_isRefusedNamingTheChoices_andWritesNothing() {
    Path certs = dir.resolve("certs");

    Run r = init(certs, "--key-type", "dsa");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("--key-type 'dsa' is not supported: use rsa (default) or ec (ECDSA P-256)");
    assertThat(Files.exists(certs.resolve("ca.key"))).isFalse();
  }

  @Test
  void revoke_ofAnAlreadyRevokedUser_saysSinceWhenAndWhy_andLeavesTheCrlAsItIs() throws Exception {
    Path certs = dir.resolve("certs");
    assertThat(init(certs).exit()).isZero();
    Run first = run("pki", "revoke", "bob", "--dir", certs.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    byte[] crl = Files.readAllBytes(new CertsLayout(certs).crl());

    Run again = run("pki", "revoke", "bob", "--dir", certs.toString(), "--reason", "superseded");

    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out())
        .containsPattern(
            "bob is already revoked: since 20\\d\\d-\\d\\d-\\d\\dT[0-9:.]+Z \\(keyCompromise\\)")
        .contains("Nothing changed")
        .doesNotContain("wrote");
    assertThat(Files.readAllBytes(new CertsLayout(certs).crl())).isEqualTo(crl);
  }

  @Test
  void init_countsAndListsEveryFileItWrites_includingTheCrlUrl() throws Exception {
    Path certs = dir.resolve("certs");

    Run r = init(certs);

    assertThat(r.exit()).as(r.err()).isZero();
    long files;
    try (var all = Files.walk(certs)) {
      files = all.filter(Files::isRegularFile).count();
    }
    assertThat(r.out())
        .contains("wrote " + files + " files in " + certs)
        .containsPattern("\\n  crl-url ");
  }

  @Test
  void init_v1Only_makesUsersWithoutDeviceCertificates() throws Exception {
    Path certs = dir.resolve("certs");

    Run r = init(certs, "--v1-only");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("wrote 14 files in " + certs);
    CertsLayout layout = new CertsLayout(certs);
    assertThat(layout.hasDevice("alice")).isFalse();
    assertThat(layout.hasDevice("bob")).isFalse();
  }
}
