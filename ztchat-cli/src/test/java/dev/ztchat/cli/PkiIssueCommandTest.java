package dev.ztchat.cli;

import static dev.ztchat.cli.PkiCommandTest.init;
import static dev.ztchat.cli.PkiCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.cli.PkiCommandTest.Run;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PkiIssueCommandTest {
  @TempDir Path dir;
  Path certs;
  CertsLayout layout;

  @BeforeEach
  void createPki() {
    certs = dir.resolve("certs");
    layout = new CertsLayout(certs);
    assertThat(init(certs, "--users", "alice").exit()).isZero();
  }

  Run issue(String... extra) {
    String[] args = new String[extra.length + 6];
    System.arraycopy(
        new String[] {"pki", "issue", "--dir", certs.toString(), "--key-size", "2048"},
        0,
        args,
        0,
        6);
    System.arraycopy(extra, 0, args, 6, extra.length);
    return run(args);
  }

  @Test
  void issue_newUser_writesAnIdentityTheCaVouchesFor() throws Exception {
    Run r = issue("carol");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.errLines())
        .containsExactly(
            "generating user carol: signing key (RSA-2048)...",
            "generating user carol: encryption key (RSA-2048)...",
            "generating user carol: device key (ECDSA P-256)...");
    assertThat(r.out()).contains("wrote 6 files in " + certs).contains("pki export carol");
    new CertificateVerifier(PemFiles.readCertificate(layout.caCertificate()))
        .verify(
            PemFiles.readCertificate(layout.signingCertificate("carol")),
            "carol",
            CertificateRole.USER_SIGNING,
            Instant.now());
    assertThat(layout.localIdentities()).containsExactly("alice", "carol");
  }

  @Test
  void issue_existingUser_isRefusedWithoutForce() throws Exception {
    String before = Files.readString(layout.signingCertificate("alice"));

    Run r = issue("alice");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("ztchat pki issue: " + layout.signingCertificate("alice") + " already exists")
        .contains("--force");
    assertThat(Files.readString(layout.signingCertificate("alice"))).isEqualTo(before);
  }

  @Test
  void issue_existingUserWithForce_replacesTheIdentity() throws Exception {
    String before = Files.readString(layout.signingCertificate("alice"));

    Run r = issue("alice", "--force");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.readString(layout.signingCertificate("alice"))).isNotEqualTo(before);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "\"\"                                | identity name is empty",
        "abcdefghijabcdefghijabcdefghijabc | identity name is 33 characters long: at most 32"
            + " allowed",
        "Alice                             | identity name 'Alice' is not allowed",
        "a/b                               | identity name 'a/b' is not allowed",
        "../x                              | identity name '../x' is not allowed",
        "\u00e9mile                            | identity name '\\u00e9mile' is not allowed",
      })
  void issue_invalidName_isRejectedWithOneClearLine(String name, String message) {
    Run r = issue(name);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).singleElement().asString().startsWith("ztchat pki issue: " + message);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void issue_withoutCaKey_failsNamingTheFile() throws Exception {
    Files.delete(layout.caKey());

    Run r = issue("carol");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("ztchat pki issue: " + layout.caKey() + " not found")
        .contains("needs the root CA's private key");
    assertThat(layout.usersDir().resolve("carol")).doesNotExist();
  }

  @Test
  void issue_keySize1024_isRejected() {
    Run r = run("pki", "issue", "carol", "--dir", certs.toString(), "--key-size", "1024");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("key size 1024 is not allowed");
  }

  @Test
  void issue_withoutName_isAUsageError() {
    Run r = run("pki", "issue", "--dir", certs.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'NAME'");
  }

  @Test
  void issue_v1Only_writesNoDeviceCertificate() {
    Run r = issue("carol", "--v1-only");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("wrote 4 files in " + certs);
    assertThat(layout.hasDevice("carol")).isFalse();
  }

  @Test
  void issue_addDevice_toAV1User_writesOnlyTheDeviceFiles() throws Exception {
    assertThat(issue("carol", "--v1-only").exit()).isZero();
    String signing = java.nio.file.Files.readString(layout.signingCertificate("carol"));

    Run r = issue("carol", "--add-device");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("wrote 2 files in " + certs);
    assertThat(layout.hasDevice("carol")).isTrue();
    assertThat(java.nio.file.Files.readString(layout.signingCertificate("carol")))
        .isEqualTo(signing);
  }

  @Test
  void issue_addDeviceTwice_failsWithOneClearLine() {
    assertThat(issue("carol").exit()).isZero();

    Run r = issue("carol", "--add-device");

    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("carol already has a device certificate").doesNotContain("\tat ");
  }

  @Test
  void issue_addDeviceWithForce_isAUsageError() {
    Run r = issue("carol", "--add-device", "--force");

    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("--add-device cannot be combined with --force");
  }
}
