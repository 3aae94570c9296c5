package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several devices per person ({@code pki issue NAME --device DEVICE}, docs/PKI.md): each device has
 * its own certificate with the person's name as CN and the device's name as OU, list shows each,
 * revoking one device leaves the others and the RSA certificates valid, and the device of {@code
 * users/NAME/device.crt} from before devices had names keeps working as device {@code default}.
 */
class PkiSeveralDevicesTest {
  static final int BITS = 2048;

  @TempDir Path dir;
  CertsLayout layout;

  @BeforeEach
  void createPkiWithAlice() throws Exception {
    layout = new CertsLayout(dir.resolve("certs"));
    admin().init(PkiAdmin.InitOptions.defaults().withKeyBits(BITS).withUsers(List.of("alice")));
  }

  PkiAdmin admin() {
    return new PkiAdmin(layout, Clock.systemUTC(), line -> {});
  }

  CertificateVerifier verifier() throws Exception {
    return new CertificateVerifier(PemFiles.readCertificate(layout.caCertificate()));
  }

  @Test
  void issueDevice_existingPerson_addsANamedDevice_andLeavesTheOtherFilesAsTheyWere()
      throws Exception {
    byte[] signingBefore = Files.readAllBytes(layout.signingKey("alice"));
    byte[] deviceBefore = Files.readAllBytes(layout.deviceKey("alice"));

    admin().issueDevice("alice", "phone", BITS, 30);

    Credential phone = layout.readDevice("alice", "phone");
    verifier().verify(phone.certificate(), "alice", CertificateRole.DEVICE, Instant.now());
    assertThat(Certificates.commonName(phone.certificate())).isEqualTo("alice");
    assertThat(Certificates.deviceName(phone.certificate())).isEqualTo("phone");
    assertThat(phone.certificate().getSubjectX500Principal().getName())
        .isEqualTo("CN=alice,OU=phone,O=ztchat");
    assertThat(layout.deviceCertificate("alice", "phone"))
        .isEqualTo(layout.userDir("alice").resolve("devices/phone/device.crt"));
    assertThat(Files.readAllBytes(layout.signingKey("alice"))).isEqualTo(signingBefore);
    assertThat(Files.readAllBytes(layout.deviceKey("alice"))).isEqualTo(deviceBefore);
    assertThat(layout.deviceNames("alice")).containsExactly(DeviceName.DEFAULT, "phone");
    assertThat(Certificates.deviceName(layout.readDevice("alice").certificate()))
        .isEqualTo(DeviceName.DEFAULT);
    assertThat(Files.getPosixFilePermissions(layout.deviceKey("alice", "phone")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(layout.devicesDir("alice").resolve("phone")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void issueDevice_newPerson_getsTheRsaPairAndOnlyThatDevice() throws Exception {
    admin().issueDevice("bob", "laptop", BITS, 30);
    admin().issueDevice("bob", "phone", BITS, 30);

    assertThat(layout.localIdentities()).contains("bob");
    assertThat(layout.hasDevice("bob")).isFalse();
    assertThat(layout.deviceNames("bob")).containsExactly("laptop", "phone");
    assertThat(layout.localDeviceNames("bob")).containsExactly("laptop", "phone");
  }

  @Test
  void issueDevice_sameDeviceTwice_isRefusedAndChangesNothing() throws Exception {
    admin().issueDevice("alice", "phone", BITS, 30);
    byte[] before = Files.readAllBytes(layout.deviceKey("alice", "phone"));

    assertThatThrownBy(() -> admin().issueDevice("alice", "phone", BITS, 30))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("alice already has a device named 'phone'");
    assertThat(Files.readAllBytes(layout.deviceKey("alice", "phone"))).isEqualTo(before);
  }

  @Test
  void issueDevice_badDeviceName_isRefusedWithTheRule() {
    assertThatThrownBy(() -> admin().issueDevice("alice", "Phone/1", BITS, 30))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("device name 'Phone/1' is not allowed");
  }

  @Test
  void list_showsEveryDevice() throws Exception {
    admin().issueDevice("alice", "phone", BITS, 90);
    admin().issueDevice("alice", "laptop", BITS, 90);

    List<PkiListing.Entry> alice =
        PkiListing.list(layout, Instant.now()).stream()
            .filter(e -> e.name().equals("alice"))
            .toList();

    assertThat(alice)
        .extracting(PkiListing.Entry::role)
        .containsExactly("signing", "encryption", "device", "device laptop", "device phone");
    assertThat(alice).extracting(PkiListing.Entry::status).containsOnly("valid");
  }

  @Test
  void revokeOneDevice_leavesTheOtherDevicesAndTheRsaCertificatesValid() throws Exception {
    admin().issueDevice("alice", "phone", BITS, 30);
    admin().issueDevice("alice", "laptop", BITS, 30);
    PkiRevocation revocation = new PkiRevocation(layout, Clock.systemUTC(), line -> {});

    X509CRL crl =
        revocation.revoke("alice", "phone", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));

    assertThat(crl.isRevoked(layout.readDevice("alice", "phone").certificate())).isTrue();
    assertThat(crl.isRevoked(layout.readDevice("alice", "laptop").certificate())).isFalse();
    assertThat(crl.isRevoked(layout.readDevice("alice").certificate())).isFalse();
    assertThat(crl.isRevoked(layout.readUser("alice").signing().certificate())).isFalse();
    assertThat(revocation.alreadyRevoked("alice", "phone")).isPresent();
    assertThat(revocation.alreadyRevoked("alice", "laptop")).isEmpty();
    assertThat(revocation.alreadyRevoked("alice")).isEmpty();
  }

  @Test
  void revokeUnknownDevice_namesTheDevicesThePersonHas() throws Exception {
    admin().issueDevice("alice", "phone", BITS, 30);
    PkiRevocation revocation = new PkiRevocation(layout, Clock.systemUTC(), line -> {});

    assertThatThrownBy(
            () ->
                revocation.revoke(
                    "alice", "tablet", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7)))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("no device 'tablet' of 'alice'")
        .hasMessageContaining("alice's devices: default, phone");
  }

  @Test
  void revokeThePerson_revokesEveryDevice() throws Exception {
    admin().issueDevice("alice", "phone", BITS, 30);
    PkiRevocation revocation = new PkiRevocation(layout, Clock.systemUTC(), line -> {});

    X509CRL crl = revocation.revoke("alice", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));

    assertThat(crl.isRevoked(layout.readDevice("alice", "phone").certificate())).isTrue();
    assertThat(crl.isRevoked(layout.readDevice("alice").certificate())).isTrue();
  }

  @Test
  void exports_carryEveryDevice() throws Exception {
    admin().issueDevice("alice", "phone", BITS, 30);
    PkiExport export = new PkiExport(layout, Clock.systemUTC());

    export.exportUser("alice", dir.resolve("alice-bundle"), false);
    export.exportServer(dir.resolve("server-bundle"), false);

    CertsLayout user = new CertsLayout(dir.resolve("alice-bundle"));
    CertsLayout server = new CertsLayout(dir.resolve("server-bundle"));
    assertThat(user.localDeviceNames("alice")).containsExactly(DeviceName.DEFAULT, "phone");
    assertThat(server.deviceNames("alice")).containsExactly(DeviceName.DEFAULT, "phone");
    assertThat(server.localDeviceNames("alice")).isEmpty();
  }

  @Test
  void exportOneDevice_holdsThatDevicesKeyOnly() throws Exception {
    admin().issueDevice("alice", "phone", BITS, 30);

    new PkiExport(layout, Clock.systemUTC())
        .exportUser("alice", "phone", dir.resolve("phone-bundle"), false);

    CertsLayout phone = new CertsLayout(dir.resolve("phone-bundle"));
    assertThat(phone.localDeviceNames("alice")).containsExactly("phone");
    assertThat(Files.exists(phone.deviceKey("alice"))).isFalse();
    assertThat(phone.localIdentities()).containsExactly("alice");
  }

  @Test
  void exportUnknownDevice_isRefused_namingTheDevices() {
    assertThatThrownBy(
            () ->
                new PkiExport(layout, Clock.systemUTC())
                    .exportUser("alice", "tablet", dir.resolve("b"), false))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("no device 'tablet' of 'alice'")
        .hasMessageContaining("alice's devices: default");
  }
}
