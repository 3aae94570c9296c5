package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands load users/NAME/device.crt|key with the identity when the user has them
 * (docs/v2/device-certificates.md section 6), and a --v1-only user (no device files) gets none.
 */
class ClientOptionsDeviceTest {
  @TempDir Path dir;

  private ClientOptions options(CertsLayout layout) {
    ClientOptions o = new ClientOptions();
    o.server = "localhost:8443";
    o.certs = layout.root();
    o.data = dir.resolve("data");
    o.window = Duration.ofDays(7);
    o.maxSkew = Duration.ofSeconds(30);
    return o;
  }

  @Test
  void aUserWithDeviceFiles_getsTheDeviceCredential() throws Exception {
    TestPki pki = TestPki.create("alice");
    CertsLayout layout = pki.writeTo(dir.resolve("certs"));
    layout.writeDevice("alice", pki.device("alice"), false);

    ChatClientConfig config = options(layout).config("alice");

    assertThat(config.device()).isNotNull();
    assertThat(config.device().certificate()).isEqualTo(pki.device("alice").certificate());
  }

  @Test
  void aV1OnlyUser_getsNoDeviceCredential() throws Exception {
    TestPki pki = TestPki.create("alice");
    CertsLayout layout = pki.writeTo(dir.resolve("certs"));

    assertThat(options(layout).config("alice").device()).isNull();
  }
}
