package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the issued files with an independent implementation, the {@code openssl} command: it must
 * verify every certificate against {@code ca.crt}, show the extensions docs/PROTOCOL.md section 1
 * requires, and read the PKCS#8 keys. Skipped (not passed) when openssl is not installed.
 */
class OpensslInteropTest {
  @TempDir static Path dir;
  static CertsLayout certs;

  static final String NO_OPENSSL =
      "openssl is not on the PATH; skipping the openssl interoperability tests";
  static boolean available;

  @BeforeAll
  static void createPki() throws Exception {
    available = opensslAvailable();
    if (!available) {
      System.err.println("OpensslInteropTest: " + NO_OPENSSL);
      return;
    }
    certs = new CertsLayout(dir.resolve("certs"));
    new PkiAdmin(certs, Clock.systemUTC(), line -> {})
        .init(
            PkiAdmin.InitOptions.defaults()
                .withKeyBits(2048)
                .withExtraServerNames(List.of("chat.example.org", "10.1.2.3")));
  }

  /** Per test, so that each is reported as skipped (an aborted class reports no tests at all). */
  @BeforeEach
  void requireOpenssl() {
    assumeTrue(available, NO_OPENSSL);
  }

  record Result(int exit, String output) {}

  static boolean opensslAvailable() {
    try {
      return openssl("version").exit() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  static Result openssl(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("openssl did not finish: " + command);
      }
      return new Result(process.exitValue(), output);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  static String text(Path cert) throws IOException {
    Result r = openssl("x509", "-in", cert.toString(), "-noout", "-text");
    assertThat(r.exit()).as(r.output()).isZero();
    return r.output();
  }

  static List<Path> leafCertificates() throws IOException {
    List<Path> leaves = new ArrayList<>(List.of(certs.serverCertificate()));
    for (String user : certs.userNames()) {
      leaves.add(certs.signingCertificate(user));
      leaves.add(certs.encryptionCertificate(user));
    }
    return leaves;
  }

  @Test
  void opensslVerify_acceptsEveryIssuedCertificateAgainstCaCrt() throws Exception {
    List<Path> all = new ArrayList<>(List.of(certs.caCertificate()));
    all.addAll(leafCertificates());
    assertThat(all).hasSize(6);

    for (Path cert : all) {
      Result r = openssl("verify", "-CAfile", certs.caCertificate().toString(), cert.toString());
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(r.output().strip()).isEqualTo(cert + ": OK");
    }
  }

  @Test
  void opensslVerify_acceptsEachLeafForItsTlsPurpose() throws Exception {
    String ca = certs.caCertificate().toString();

    Result server =
        openssl(
            "verify", "-CAfile", ca, "-purpose", "sslserver", certs.serverCertificate().toString());
    Result client =
        openssl(
            "verify",
            "-CAfile",
            ca,
            "-purpose",
            "sslclient",
            certs.signingCertificate("alice").toString());

    assertThat(server.exit()).as(server.output()).isZero();
    assertThat(client.exit()).as(client.output()).isZero();
  }

  @Test
  void opensslVerify_rejectsACertificateFromAnotherCaWithTheSameName() throws Exception {
    Instant now = Instant.now();
    Credential rogueCa =
        CertificateIssuer.createRootCa(PkiAdmin.CA_COMMON_NAME, 2048, now, Duration.ofDays(1));
    Path rogue = dir.resolve("rogue.crt");
    PemFiles.writeCertificate(
        rogue,
        CertificateIssuer.issueUser(rogueCa, "alice", 2048, now, Duration.ofDays(1))
            .signing()
            .certificate(),
        true);

    Result r = openssl("verify", "-CAfile", certs.caCertificate().toString(), rogue.toString());

    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains(rogue + ": verification failed");
  }

  @Test
  void opensslText_caHasCriticalCaTrueAndCertSignCrlSign() throws Exception {
    String ca = text(certs.caCertificate());

    assertThat(ca)
        .contains("Signature Algorithm: sha256WithRSAEncryption")
        .contains("Subject: O = ztchat, CN = ztchat root CA")
        .containsPattern("X509v3 Basic Constraints: critical\\s+CA:TRUE")
        .containsPattern("X509v3 Key Usage: critical\\s+Certificate Sign, CRL Sign\\n")
        .contains("Public-Key: (2048 bit)");
  }

  @Test
  void opensslText_serverHasServerAuthAndItsNames() throws Exception {
    String server = text(certs.serverCertificate());

    assertThat(server)
        .containsPattern("X509v3 Basic Constraints: critical\\s+CA:FALSE")
        .containsPattern("X509v3 Key Usage: critical\\s+Digital Signature\\n")
        .containsPattern("X509v3 Extended Key Usage:\\s+TLS Web Server Authentication\\n")
        .contains("DNS:localhost, IP Address:127.0.0.1, DNS:chat.example.org, IP Address:10.1.2.3");
  }

  @Test
  void opensslText_userCertificatesHaveTheirSeparateUsages() throws Exception {
    String signing = text(certs.signingCertificate("alice"));
    String encryption = text(certs.encryptionCertificate("alice"));

    assertThat(signing)
        .contains("Subject: O = ztchat, CN = alice")
        .contains("Issuer: O = ztchat, CN = ztchat root CA")
        .containsPattern("X509v3 Key Usage: critical\\s+Digital Signature\\n")
        .containsPattern("X509v3 Extended Key Usage:\\s+TLS Web Client Authentication\\n");
    assertThat(encryption)
        .contains("Subject: O = ztchat, CN = alice")
        .containsPattern("X509v3 Key Usage: critical\\s+Key Encipherment\\n")
        .doesNotContain("Digital Signature")
        .doesNotContain("Extended Key Usage");
  }

  @Test
  void opensslPkey_readsEveryPkcs8KeyAndItMatchesItsCertificate() throws Exception {
    List<Path[]> pairs = new ArrayList<>();
    pairs.add(new Path[] {certs.caCertificate(), certs.caKey()});
    pairs.add(new Path[] {certs.serverCertificate(), certs.serverKey()});
    for (String user : certs.userNames()) {
      pairs.add(new Path[] {certs.signingCertificate(user), certs.signingKey(user)});
      pairs.add(new Path[] {certs.encryptionCertificate(user), certs.encryptionKey(user)});
    }
    for (Path[] pair : pairs) {
      // -pubout prints only the public half: the private key never reaches the test output.
      Result fromKey = openssl("pkey", "-in", pair[1].toString(), "-pubout");
      Result fromCert = openssl("x509", "-in", pair[0].toString(), "-noout", "-pubkey");

      assertThat(fromKey.exit()).as(pair[1].toString()).isZero();
      assertThat(fromKey.output())
          .startsWith("-----BEGIN PUBLIC KEY-----")
          .isEqualTo(fromCert.output());
    }
  }
}
