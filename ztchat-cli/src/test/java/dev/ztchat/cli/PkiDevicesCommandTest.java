package dev.ztchat.cli;

import static dev.ztchat.cli.PkiCommandTest.init;
import static dev.ztchat.cli.PkiCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.cli.PkiCommandTest.Run;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import java.nio.file.Path;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pki issue NAME --device DEVICE}, {@code pki list}, {@code pki revoke NAME --device DEVICE}
 * and the client commands' {@code --device} (docs/PKI.md).
 */
class PkiDevicesCommandTest {
  @TempDir Path dir;
  Path certs;
  CertsLayout layout;

  @BeforeEach
  void createPki() {
    certs = dir.resolve("certs");
    layout = new CertsLayout(certs);
    assertThat(init(certs, "--users", "alice").exit()).isZero();
  }

  Run pki(String command, String... extra) {
    String[] args = new String[extra.length + 4];
    System.arraycopy(new String[] {"pki", command, "--dir", certs.toString()}, 0, args, 0, 4);
    System.arraycopy(extra, 0, args, 4, extra.length);
    return run(args);
  }

  private ClientOptions options(String device) {
    ClientOptions o = new ClientOptions();
    o.server = "localhost:8443";
    o.certs = certs;
    o.data = dir.resolve("data");
    o.window = Duration.ofDays(7);
    o.maxSkew = Duration.ofSeconds(30);
    o.device = device;
    return o;
  }

  @Test
  void issueTwoDevices_listShowsBoth_revokeOneLeavesTheOther() throws Exception {
    Run phone = pki("issue", "bob", "--device", "phone", "--key-size", "2048");
    Run laptop = pki("issue", "bob", "--device", "laptop");

    assertThat(phone.exit()).as(phone.err()).isZero();
    assertThat(phone.errLines())
        .contains("generating user bob: key of device phone (ECDSA P-256)...");
    assertThat(phone.out()).contains("--device phone");
    assertThat(laptop.exit()).as(laptop.err()).isZero();
    assertThat(laptop.errLines())
        .containsExactly("generating user bob: key of device laptop (ECDSA P-256)...");

    Run list = pki("list");
    assertThat(list.out()).containsPattern("bob +device laptop +[0-9a-f ]+ \\S+ +valid");
    assertThat(list.out()).containsPattern("bob +device phone +[0-9a-f ]+ \\S+ +valid");

    Run revoke = pki("revoke", "bob", "--device", "phone");
    assertThat(revoke.exit()).as(revoke.err()).isZero();
    assertThat(revoke.out())
        .contains("revoked the certificate of bob's device phone (keyCompromise)")
        .contains("bob's other devices keep working");
    assertThat(pki("list").out())
        .containsPattern("bob +device phone .*REVOKED on")
        .containsPattern("bob +device laptop +[0-9a-f ]+ \\S+ +valid")
        .containsPattern("bob +signing +[0-9a-f ]+ \\S+ +valid");
    var crl = CrlFiles.read(layout.crl());
    assertThat(crl.isRevoked(layout.readDevice("bob", "laptop").certificate())).isFalse();

    Run again = pki("revoke", "bob", "--device", "phone");
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("device phone of bob is already revoked");
  }

  @Test
  void renewOneDevice_revokesItsOldCertificateAsSuperseded_andLeavesTheOthersValid()
      throws Exception {
    assertThat(pki("issue", "bob", "--device", "phone", "--key-size", "2048").exit()).isZero();
    assertThat(pki("issue", "bob", "--device", "laptop").exit()).isZero();
    X509Certificate oldPhone = layout.readDevice("bob", "phone").certificate();
    X509Certificate laptop = layout.readDevice("bob", "laptop").certificate();
    X509Certificate signing = layout.readUser("bob").signing().certificate();

    Run renew = pki("renew", "bob", "--device", "phone");

    assertThat(renew.exit()).as(renew.err()).isZero();
    assertThat(renew.errLines())
        .contains("generating user bob: new key of device phone (ECDSA P-256)...");
    assertThat(renew.out())
        .contains("pki export bob --device phone")
        .contains("bob's other devices keep working");
    Credential newPhone = layout.readDevice("bob", "phone");
    assertThat(newPhone.certificate()).isNotEqualTo(oldPhone);
    assertThat(newPhone.certificate().getPublicKey()).isNotEqualTo(oldPhone.getPublicKey());
    assertThat(Certificates.deviceName(newPhone.certificate())).isEqualTo("phone");
    X509CRL crl = CrlFiles.read(layout.crl());
    assertThat(crl.getRevokedCertificate(oldPhone.getSerialNumber()).getRevocationReason())
        .isEqualTo(CRLReason.SUPERSEDED);
    assertThat(crl.isRevoked(newPhone.certificate())).isFalse();
    assertThat(crl.isRevoked(laptop)).isFalse();
    assertThat(crl.isRevoked(signing)).isFalse();
    assertThat(layout.readDevice("bob", "laptop").certificate()).isEqualTo(laptop);
    assertThat(
            layout
                .deviceCertificate("bob", "phone")
                .getParent()
                .resolve("previous-device")
                .resolve(HexFormat.of().formatHex(oldPhone.getSerialNumber().toByteArray()))
                .resolve("device.key"))
        .as("the old key is kept, not left in place")
        .isRegularFile();
    assertThat(pki("list").out())
        .containsPattern("bob +device phone +[0-9a-f ]+ \\S+ +valid")
        .containsPattern("bob +device laptop +[0-9a-f ]+ \\S+ +valid");
  }

  @Test
  void renewUnknownDevice_saysWhichDevicesThereAre_andChangesNothing() throws Exception {
    assertThat(pki("issue", "bob", "--device", "phone", "--key-size", "2048").exit()).isZero();
    X509Certificate phone = layout.readDevice("bob", "phone").certificate();

    Run r = pki("renew", "bob", "--device", "tablet");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no device 'tablet' of 'bob'").contains("bob's devices: phone");
    assertThat(layout.readDevice("bob", "phone").certificate()).isEqualTo(phone);
  }

  @Test
  void issueDevice_withV1Only_isAUsageError() {
    Run r = pki("issue", "bob", "--device", "phone", "--v1-only");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--device cannot be combined with --v1-only");
  }

  @Test
  void revokeUnknownDevice_saysWhichDevicesThereAre() {
    assertThat(pki("issue", "bob", "--device", "phone", "--key-size", "2048").exit()).isZero();

    Run r = pki("revoke", "bob", "--device", "tablet");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no device 'tablet' of 'bob'").contains("bob's devices: phone");
  }

  @Test
  void clientDevice_optionalWithOneDevice_requiredWithSeveral_andEachHasItsOwnState()
      throws Exception {
    assertThat(pki("issue", "bob", "--device", "phone", "--key-size", "2048").exit()).isZero();
    ChatClientConfig only = options(null).config("bob");
    assertThat(only.device().certificate())
        .isEqualTo(layout.readDevice("bob", "phone").certificate());
    assertThat(ClientOptions.deviceDataDir(dir.resolve("ca/bob"), "phone"))
        .isEqualTo(dir.resolve("ca/bob+phone"));

    assertThat(pki("issue", "bob", "--device", "laptop").exit()).isZero();
    assertThatThrownBy(() -> options(null).config("bob"))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("bob has several devices in")
        .hasMessageContaining("(laptop, phone): choose one with --device");
    assertThat(options("laptop").config("bob").device().certificate())
        .isEqualTo(layout.readDevice("bob", "laptop").certificate());
    assertThatThrownBy(() -> options("tablet").config("bob"))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("--device tablet: bob has no device of that name")
        .hasMessageContaining("(devices here: laptop, phone)");
  }

  @Test
  void clientWithoutDevice_aliceWithHerOneOldDevice_keepsHerFolder() throws Exception {
    ChatClientConfig config = options(null).config("alice");

    assertThat(config.device().certificate()).isEqualTo(layout.readDevice("alice").certificate());
    assertThat(ClientOptions.deviceDataDir(dir.resolve("ca/alice"), "default"))
        .isEqualTo(dir.resolve("ca/alice"));
  }

  @Test
  void exportOneDevice_givesABundleWithThatDevicesKeyOnly() throws Exception {
    assertThat(pki("issue", "bob", "--device", "phone", "--key-size", "2048").exit()).isZero();
    assertThat(pki("issue", "bob", "--device", "laptop").exit()).isZero();
    Path bundle = dir.resolve("phone-bundle");

    Run r = pki("export", "bob", "--device", "phone", "--out", bundle.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("--device phone");
    assertThat(new CertsLayout(bundle).localDeviceNames("bob")).containsExactly("phone");
  }
}
