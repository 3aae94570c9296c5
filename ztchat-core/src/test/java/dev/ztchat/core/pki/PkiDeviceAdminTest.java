package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device certificates through the PKI administration: {@code pki init|issue} make them by default
 * and not for v1-only users, one can be added to an existing user without touching the RSA keys,
 * and list, export, revoke and renew handle them (docs/v2/device-certificates.md).
 */
class PkiDeviceAdminTest {
  static final int BITS = 2048;

  @TempDir Path dir;
  CertsLayout layout;
  final List<String> progress = new ArrayList<>();

  @BeforeEach
  void createPkiWithoutUsers() throws Exception {
    layout = new CertsLayout(dir.resolve("certs"));
    admin().init(PkiAdmin.InitOptions.defaults().withKeyBits(BITS).withUsers(List.of()));
    progress.clear();
  }

  PkiAdmin admin() {
    return new PkiAdmin(layout, Clock.systemUTC(), progress::add);
  }

  PkiRevocation revocation() {
    return new PkiRevocation(layout, Clock.systemUTC(), line -> {});
  }

  CertificateVerifier verifier() throws Exception {
    return new CertificateVerifier(PemFiles.readCertificate(layout.caCertificate()));
  }

  @Test
  void issue_newUser_getsTheV1PairAndADeviceCertificate_keysOwnerOnly() throws Exception {
    PkiResult result = admin().issue("carol", BITS, 30, false);

    Credential device = layout.readDevice("carol");
    verifier().verify(device.certificate(), "carol", CertificateRole.DEVICE, Instant.now());
    assertThat(KeyType.matches(device.certificate(), device.privateKey())).isTrue();
    verifier()
        .verify(
            layout.readUser("carol").signing().certificate(),
            "carol",
            CertificateRole.USER_SIGNING,
            Instant.now());
    assertThat(result.written())
        .extracting(PkiFile::path)
        .containsExactly(
            layout.signingCertificate("carol"),
            layout.signingKey("carol"),
            layout.encryptionCertificate("carol"),
            layout.encryptionKey("carol"),
            layout.deviceCertificate("carol"),
            layout.deviceKey("carol"));
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(layout.deviceKey("carol"))))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(layout.userDir("carol"))))
        .isEqualTo("rwx------");
    assertThat(progress).contains("generating user carol: device key (ECDSA P-256)...");
  }

  @Test
  void issue_v1Only_writesNoDeviceCertificate() throws Exception {
    PkiResult result = admin().issue("carol", BITS, 30, false, false);

    assertThat(layout.hasDevice("carol")).isFalse();
    assertThat(Files.exists(layout.deviceKey("carol"))).isFalse();
    assertThat(result.written()).hasSize(4);
  }

  @Test
  void issue_forceAsV1Only_removesTheOldDeviceCertificate() throws Exception {
    admin().issue("carol", BITS, 30, false);

    admin().issue("carol", BITS, 30, true, false);

    assertThat(layout.hasDevice("carol")).isFalse();
    assertThat(Files.exists(layout.deviceKey("carol"))).isFalse();
  }

  @Test
  void issue_userWithOnlyADeviceCertificateLeft_isRefusedWithoutForce() throws Exception {
    admin().issue("carol", BITS, 30, false);
    Files.delete(layout.signingCertificate("carol"));
    Files.delete(layout.signingKey("carol"));
    Files.delete(layout.encryptionCertificate("carol"));
    Files.delete(layout.encryptionKey("carol"));

    assertThatThrownBy(() -> admin().issue("carol", BITS, 30, false))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(layout.deviceCertificate("carol") + " already exists");
  }

  @Test
  void init_givesEveryUserADeviceCertificate_unlessV1Only() throws Exception {
    Path other = dir.resolve("other");
    CertsLayout v2 = new CertsLayout(other.resolve("v2"));
    new PkiAdmin(v2, Clock.systemUTC(), line -> {})
        .init(PkiAdmin.InitOptions.defaults().withKeyBits(BITS));
    CertsLayout v1 = new CertsLayout(other.resolve("v1"));
    new PkiAdmin(v1, Clock.systemUTC(), line -> {})
        .init(PkiAdmin.InitOptions.defaults().withKeyBits(BITS).withDevices(false));

    assertThat(v2.hasDevice("alice")).isTrue();
    assertThat(v2.hasDevice("bob")).isTrue();
    assertThat(v1.hasDevice("alice")).isFalse();
    assertThat(v1.hasDevice("bob")).isFalse();
    assertThat(v1.localIdentities()).containsExactly("alice", "bob");
  }

  @Test
  void addDevice_toAnExistingV1User_leavesTheRsaFilesByteForByte() throws Exception {
    admin().issue("carol", BITS, 30, false, false);
    List<Path> rsa =
        List.of(
            layout.signingCertificate("carol"),
            layout.signingKey("carol"),
            layout.encryptionCertificate("carol"),
            layout.encryptionKey("carol"));
    List<byte[]> before = new ArrayList<>();
    for (Path p : rsa) {
      before.add(Files.readAllBytes(p));
    }

    PkiResult result = admin().addDevice("carol", 30);

    for (int i = 0; i < rsa.size(); i++) {
      assertThat(Files.readAllBytes(rsa.get(i))).isEqualTo(before.get(i));
    }
    assertThat(result.written())
        .extracting(PkiFile::path)
        .containsExactly(layout.deviceCertificate("carol"), layout.deviceKey("carol"));
    verifier()
        .verify(
            layout.readDevice("carol").certificate(),
            "carol",
            CertificateRole.DEVICE,
            Instant.now());
  }

  @Test
  void addDevice_whenTheUserHasOne_isRefusedAndChangesNothing() throws Exception {
    admin().issue("carol", BITS, 30, false);
    byte[] before = Files.readAllBytes(layout.deviceCertificate("carol"));

    assertThatThrownBy(() -> admin().addDevice("carol", 30))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("carol already has a device certificate")
        .hasMessageContaining("nothing was changed");
    assertThat(Files.readAllBytes(layout.deviceCertificate("carol"))).isEqualTo(before);
  }

  @Test
  void addDevice_unknownUser_saysSo() {
    assertThatThrownBy(() -> admin().addDevice("zoe", 30))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("no user 'zoe'");
  }

  @Test
  void addDevice_badName_orBadLifetime_isRefusedBeforeAnythingIsWritten() {
    assertThatThrownBy(() -> admin().addDevice("../x", 30))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> admin().addDevice("carol", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("validity of 0 days");
  }

  @Test
  void revoke_user_revokesTheDeviceCertificateToo() throws Exception {
    admin().issue("carol", BITS, 30, false);
    X509Certificate device = layout.readDevice("carol").certificate();

    X509CRL crl = revocation().revoke("carol", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));

    assertThat(crl.getRevokedCertificate(device.getSerialNumber())).isNotNull();
    assertThat(revocation().alreadyRevoked("carol")).isPresent();
  }

  @Test
  void renew_userWithDevice_issuesANewDevice_revokesTheOld_andKeepsItUnderPrevious()
      throws Exception {
    admin().issue("carol", BITS, 30, false);
    X509Certificate oldDevice = layout.readDevice("carol").certificate();

    revocation().renew("carol", BITS, 30, Duration.ofDays(7));

    X509Certificate newDevice = layout.readDevice("carol").certificate();
    assertThat(newDevice.getPublicKey()).isNotEqualTo(oldDevice.getPublicKey());
    assertThat(layout.previousIdentityDirs("carol")).hasSize(1);
    Path kept = layout.previousIdentityDirs("carol").getFirst();
    assertThat(PemFiles.readCertificate(kept.resolve("device.crt"))).isEqualTo(oldDevice);
    assertThat(Files.isRegularFile(kept.resolve("device.key"))).isTrue();
    assertThat(PkiRevocation.listedIn(layout, oldDevice)).isTrue();
    assertThat(PkiRevocation.listedIn(layout, newDevice)).isFalse();
  }

  @Test
  void renew_v1OnlyUser_staysV1Only() throws Exception {
    admin().issue("carol", BITS, 30, false, false);

    revocation().renew("carol", BITS, 30, Duration.ofDays(7));

    assertThat(layout.hasDevice("carol")).isFalse();
  }

  @Test
  void list_showsTheDeviceCertificate_withItsStatus() throws Exception {
    admin().issue("carol", BITS, 30, false);
    admin().issue("dave", BITS, 30, false, false);
    revocation().revoke("carol", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));

    List<PkiListing.Entry> entries = PkiListing.list(layout, Instant.now());

    assertThat(entries)
        .filteredOn(e -> e.role().equals("device"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.name()).isEqualTo("carol");
              assertThat(e.status()).startsWith("REVOKED on ");
            });
    assertThat(entries).filteredOn(e -> e.name().equals("dave")).hasSize(2);
  }

  @Test
  void exportUser_includesTheDeviceCertificateAndKey_exportServer_theCertificateOnly()
      throws Exception {
    admin().issue("carol", BITS, 30, false);
    PkiExport export = new PkiExport(layout, Clock.systemUTC());

    Path userOut = dir.resolve("carol-bundle");
    export.exportUser("carol", userOut, false);
    Path serverOut = dir.resolve("server-bundle");
    export.exportServer(serverOut, false);

    CertsLayout user = new CertsLayout(userOut);
    assertThat(user.readDevice("carol")).isEqualTo(layout.readDevice("carol"));
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(user.deviceKey("carol"))))
        .isEqualTo("rw-------");
    CertsLayout server = new CertsLayout(serverOut);
    assertThat(PemFiles.readCertificate(server.deviceCertificate("carol")))
        .isEqualTo(layout.readDevice("carol").certificate());
    assertThat(Files.exists(server.deviceKey("carol"))).isFalse();
  }

  @Test
  void exportUser_withADeviceKeyThatDoesNotMatch_isRefused() throws Exception {
    admin().issue("carol", BITS, 30, false);
    admin().issue("dave", BITS, 30, false);
    Files.copy(
        layout.deviceKey("dave"),
        layout.deviceKey("carol"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(
            () ->
                new PkiExport(layout, Clock.systemUTC())
                    .exportUser("carol", dir.resolve("out"), false))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("does not belong to it");
  }
}
