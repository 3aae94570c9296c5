package dev.ztchat.core.pki;

import static java.nio.file.attribute.PosixFilePermission.OWNER_READ;
import static java.nio.file.attribute.PosixFilePermission.OWNER_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.remedy.Remedy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiExportTest {
  @TempDir static Path sharedDir;
  static CertsLayout certs;

  @TempDir Path dir;

  @BeforeAll
  static void createPki() throws Exception {
    certs = new CertsLayout(sharedDir.resolve("certs"));
    new PkiAdmin(certs, Clock.systemUTC(), line -> {})
        .init(PkiAdmin.InitOptions.defaults().withKeyBits(2048));
  }

  static PkiExport export(CertsLayout source) {
    return new PkiExport(source, Clock.systemUTC());
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
  void exportUser_writesTheCaCertificateAndOnlyThatUsersFiles() throws Exception {
    Path out = dir.resolve("alice-bundle");

    PkiResult result = export(certs).exportUser("alice", out, false);

    assertThat(files(out))
        .containsExactly(
            "ca.crt",
            "users/alice/device.crt",
            "users/alice/device.key",
            "users/alice/encryption.crt",
            "users/alice/encryption.key",
            "users/alice/signing.crt",
            "users/alice/signing.key");
    assertThat(result.written()).hasSize(7);
    CertsLayout bundle = new CertsLayout(out);
    assertThat(bundle.localIdentities()).containsExactly("alice");
    assertThat(Files.readString(bundle.caCertificate()))
        .isEqualTo(Files.readString(certs.caCertificate()));
    assertThat(bundle.readUser("alice").signing().privateKey())
        .isEqualTo(certs.readUser("alice").signing().privateKey());
    for (String key :
        List.of(
            "users/alice/signing.key", "users/alice/encryption.key", "users/alice/device.key")) {
      assertThat(Files.getPosixFilePermissions(out.resolve(key)))
          .isEqualTo(Set.of(OWNER_READ, OWNER_WRITE));
    }
  }

  @Test
  void exportUser_nonEmptyTarget_isRefusedWithoutForce() throws Exception {
    Path out = Files.createDirectories(dir.resolve("bundle"));
    Files.writeString(out.resolve("notes.txt"), "keep me");

    assertThatThrownBy(() -> export(certs).exportUser("alice", out, false))
        .isInstanceOf(PkiException.class)
        .hasMessage(out + " is not empty")
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.of(Remedy.Kind.EMPTY_EXPORT_FOLDER)));
    assertThat(files(out)).containsExactly("notes.txt");
  }

  @Test
  void exportUser_nonEmptyTargetWithForce_isWrittenAndKeepsOtherFiles() throws Exception {
    Path out = dir.resolve("bundle");
    export(certs).exportUser("alice", out, false);
    Files.writeString(out.resolve("notes.txt"), "keep me");

    export(certs).exportUser("alice", out, true);

    assertThat(files(out)).contains("notes.txt", "ca.crt", "users/alice/signing.key");
  }

  @Test
  void exportUser_emptyExistingTarget_isAccepted() throws Exception {
    Path out = Files.createDirectories(dir.resolve("empty"));

    export(certs).exportUser("bob", out, false);

    assertThat(new CertsLayout(out).localIdentities()).containsExactly("bob");
  }

  @Test
  void exportUser_unknownUser_saysHowToIssueIt() {
    assertThatThrownBy(() -> export(certs).exportUser("carol", dir.resolve("x"), false))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("no user 'carol' in " + certs.root())
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.forUser(Remedy.Kind.ISSUE_USER, "carol")));
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void exportUser_invalidName_isRejected() {
    assertThatThrownBy(() -> export(certs).exportUser("../ca", dir.resolve("x"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("identity name '../ca' is not allowed");
  }

  @Test
  void exportUser_intoTheCertsFolderItself_isRefused() {
    assertThatThrownBy(() -> export(certs).exportUser("alice", certs.root(), true))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("is the certs folder itself");
  }

  @Test
  void exportUser_targetIsAFile_isRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");

    assertThatThrownBy(() -> export(certs).exportUser("alice", file, true))
        .isInstanceOf(PkiException.class)
        .hasMessage(file + " exists and is not a directory")
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.of(Remedy.Kind.OTHER_EXPORT_FOLDER)));
  }

  @Test
  void exportUser_fromAFolderWithoutTheUsersKeys_saysWhereToExportFrom() throws Exception {
    Path serverBundle = dir.resolve("server");
    export(certs).exportServer(serverBundle, false);

    assertThatThrownBy(
            () ->
                export(new CertsLayout(serverBundle)).exportUser("alice", dir.resolve("a"), false))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("signing.key not found")
        .hasMessageContaining("PKI admin's certs folder");
  }

  @Test
  void exportUser_userLeftBehindByAReplacedCa_isRefused() throws Exception {
    CertsLayout layout = new CertsLayout(dir.resolve("certs"));
    PkiAdmin admin = new PkiAdmin(layout, Clock.systemUTC(), line -> {});
    PkiAdmin.InitOptions options = PkiAdmin.InitOptions.defaults().withKeyBits(2048);
    admin.init(options);
    admin.init(options.withUsers(List.of("alice")).withForce(true));

    assertThatThrownBy(() -> export(layout).exportUser("bob", dir.resolve("bob"), false))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(
            "not exporting: certificate for 'bob' has a signature that our root CA did not make")
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.forUser(Remedy.Kind.REISSUE_USER, "bob")));
    assertThat(dir.resolve("bob")).doesNotExist();
  }

  @Test
  void exportServer_writesServerIdentityAndPublicUserCertificatesOnly() throws Exception {
    Path out = dir.resolve("server-bundle");

    PkiResult result = export(certs).exportServer(out, false);

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
    assertThat(result.written()).filteredOn(PkiFile::secret).hasSize(1);
    assertThat(result.warnings()).isEmpty();
    assertThat(Files.getPosixFilePermissions(out.resolve("server.key")))
        .isEqualTo(Set.of(OWNER_READ, OWNER_WRITE));
    CertsLayout bundle = new CertsLayout(out);
    assertThat(bundle.userNames()).containsExactly("alice", "bob");
    assertThat(bundle.localIdentities()).isEmpty();
  }

  @Test
  void exportServer_leavesOutUsersTheCaDoesNotVouchForWithAWarning() throws Exception {
    CertsLayout layout = new CertsLayout(dir.resolve("certs"));
    PkiAdmin admin = new PkiAdmin(layout, Clock.systemUTC(), line -> {});
    PkiAdmin.InitOptions options = PkiAdmin.InitOptions.defaults().withKeyBits(2048);
    admin.init(options);
    admin.init(options.withUsers(List.of("alice")).withForce(true));
    Path out = dir.resolve("server-bundle");

    PkiResult result = export(layout).exportServer(out, false);

    assertThat(new CertsLayout(out).userNames()).containsExactly("alice");
    assertThat(result.warnings())
        .singleElement()
        .asString()
        .startsWith("left out " + layout.userDir("bob"))
        .contains("did not make");
  }

  @Test
  void exportServer_withoutCa_saysToRunInitFirst() {
    assertThatThrownBy(
            () ->
                export(new CertsLayout(dir.resolve("none"))).exportServer(dir.resolve("o"), false))
        .isInstanceOf(PkiException.class)
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.of(Remedy.Kind.CREATE_PKI)));
  }
}
