package dev.ztchat.cli;

import static dev.ztchat.cli.PkiCommandTest.init;
import static dev.ztchat.cli.PkiCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.cli.PkiCommandTest.Run;
import dev.ztchat.core.pki.CertsLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiExportCommandTest {
  @TempDir Path dir;
  Path certs;

  @BeforeEach
  void createPki() {
    certs = dir.resolve("certs");
    assertThat(init(certs).exit()).isZero();
  }

  static List<String> files(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  @Test
  void export_writesTheUsersBundleAsACertsFolder() throws Exception {
    Path out = dir.resolve("alice-bundle");

    Run r = run("pki", "export", "alice", "--dir", certs.toString(), "--out", out.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(files(out))
        .containsExactly(
            "ca.crt",
            "users/alice/device.crt",
            "users/alice/device.key",
            "users/alice/encryption.crt",
            "users/alice/encryption.key",
            "users/alice/signing.crt",
            "users/alice/signing.key");
    assertThat(Files.getPosixFilePermissions(out.resolve("users/alice/signing.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(new CertsLayout(out).localIdentities()).containsExactly("alice");
    assertThat(r.out())
        .contains("wrote 7 files in " + out)
        .contains("./ztchat client --certs " + out)
        .doesNotContain("BEGIN");
  }

  @Test
  void export_nonEmptyTarget_isRefusedWithoutForceAndAcceptedWithIt() throws Exception {
    Path out = Files.createDirectories(dir.resolve("bundle"));
    Files.writeString(out.resolve("other.txt"), "x");

    Run refused = run("pki", "export", "alice", "--dir", certs.toString(), "--out", out.toString());
    Run forced =
        run(
            "pki",
            "export",
            "alice",
            "--dir",
            certs.toString(),
            "--out",
            out.toString(),
            "--force");

    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.errLines())
        .containsExactly(
            "ztchat pki export: "
                + out
                + " is not empty: choose a new directory, or use --force to overwrite files in it");
    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(files(out)).contains("other.txt", "users/alice/signing.key");
  }

  @Test
  void export_unknownUser_saysHowToIssueIt() {
    Run r =
        run(
            "pki",
            "export",
            "carol",
            "--dir",
            certs.toString(),
            "--out",
            dir.resolve("c").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("no user 'carol' in " + certs)
        .contains("./ztchat pki issue carol");
  }

  @Test
  void export_withoutOut_isAUsageError() {
    Run r = run("pki", "export", "alice", "--dir", certs.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required option: '--out=DIR'");
  }

  @Test
  void exportServer_writesServerIdentityAndPublicCertificatesButNoCaKey() throws Exception {
    Path out = dir.resolve("server-bundle");

    Run r = run("pki", "export-server", "--dir", certs.toString(), "--out", out.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(files(out))
        .containsExactly(
            "ca.crl",
            "ca.crt",
            "server.crt",
            "server.key",
            "users/alice/device.crt",
            "users/alice/encryption.crt",
            "users/alice/signing.crt",
            "users/bob/device.crt",
            "users/bob/encryption.crt",
            "users/bob/signing.crt");
    assertThat(Files.getPosixFilePermissions(out.resolve("server.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(r.out()).contains("wrote 10 files in " + out);
  }
}
