package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyType;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.server.RelayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The openssl client of the handshake bench against a real relay with an ECDSA P-256 CA and server
 * certificate: the s_client check passes for a user the relay accepts and fails for a certificate
 * from another CA (so s_time's count would be meaningless), and s_time counts handshakes. Skipped
 * when openssl is not installed. No rate is judged.
 */
class STimeLoadIntegrationTest {
  static BenchPki pki;
  static Optional<Path> openssl;

  @BeforeAll
  static void create() throws Exception {
    openssl = STimeLoad.openssl();
    pki = BenchPki.create(2048, KeyType.EC);
    pki.user("alice0");
  }

  @AfterAll
  static void delete() {
    pki.close();
  }

  @Test
  void acceptedCertificate_passesTheCheck_andSTimeCountsHandshakes() throws Exception {
    assumeTrue(openssl.isPresent(), "openssl not installed");
    try (RelayServer relay = InProcessRelay.start(pki)) {
      assertThat(
              STimeLoad.checkAuthentication(
                  openssl.get(), relay.port(), pki.layout(), "alice0", true))
          .isEmpty();

      STimeLoad.Result r =
          STimeLoad.run(
              openssl.get(), relay.port(), pki.layout(), "alice0", 2, Duration.ofSeconds(1));

      assertThat(r.connections()).isPositive();
      assertThat(r.wallSeconds()).isGreaterThanOrEqualTo(1.0);
    }
  }

  @Test
  void certificateFromAnotherCa_failsTheCheck() throws Exception {
    assumeTrue(openssl.isPresent(), "openssl not installed");
    Instant now = Instant.now().minusSeconds(60);
    Credential rogueCa =
        CertificateIssuer.createRootCa("ztchat bench CA", KeyType.EC, 0, now, Duration.ofDays(1));
    UserIdentity mallory =
        CertificateIssuer.issueUser(rogueCa, "mallory", 2048, now, Duration.ofDays(1));
    CertsLayout rogue = new CertsLayout(pki.newFolder("rogue-"));
    rogue.writeUser(mallory, false);
    // the relay's CA file, so only the client certificate is wrong
    Files.copy(pki.layout().caCertificate(), rogue.caCertificate());
    try (RelayServer relay = InProcessRelay.start(pki)) {
      Optional<String> problem =
          STimeLoad.checkAuthentication(openssl.get(), relay.port(), rogue, "mallory", true);

      assertThat(problem)
          .hasValueSatisfying(p -> assertThat(p).contains("got no application data"));
    }
  }
}
