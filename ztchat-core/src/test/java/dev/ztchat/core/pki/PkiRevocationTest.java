package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ztchat.core.testing.TestPki;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revocation lists: issued by pki init/revoke/renew/crl, verified by clients and by openssl. */
class PkiRevocationTest {
  @TempDir Path dir;
  CertsLayout certs;

  @BeforeEach
  void init() throws Exception {
    certs = new CertsLayout(dir.resolve("certs"));
    new PkiAdmin(certs, Clock.systemUTC(), line -> {})
        .init(PkiAdmin.InitOptions.defaults().withKeyBits(2048));
  }

  PkiRevocation revocation() {
    return new PkiRevocation(certs, Clock.systemUTC(), line -> {});
  }

  RevocationList verified() throws Exception {
    return RevocationList.verify(
        CrlFiles.read(certs.crl()), PemFiles.readCertificate(certs.caCertificate()), Instant.now());
  }

  @Test
  void init_writesAnEmptyFreshCrlNumberOne() throws Exception {
    RevocationList crl = verified();
    assertThat(crl.number()).isEqualTo(BigInteger.ONE);
    assertThat(crl.isRevoked(PemFiles.readCertificate(certs.signingCertificate("alice"))))
        .isFalse();
    assertThat(crl.nextUpdate()).isAfter(Instant.now().plus(Duration.ofDays(6)));
  }

  @Test
  void revoke_listsBothCertificatesOfTheUser_andRaisesTheCrlNumber() throws Exception {
    revocation().revoke("alice", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));
    RevocationList crl = verified();
    assertThat(crl.number()).isEqualTo(BigInteger.TWO);
    assertThat(crl.isRevoked(PemFiles.readCertificate(certs.signingCertificate("alice")))).isTrue();
    assertThat(crl.isRevoked(PemFiles.readCertificate(certs.encryptionCertificate("alice"))))
        .isTrue();
    assertThat(crl.compromised(PemFiles.readCertificate(certs.signingCertificate("alice"))))
        .isTrue();
    assertThat(crl.isRevoked(PemFiles.readCertificate(certs.signingCertificate("bob")))).isFalse();

    revocation().revoke("bob", RevocationReason.AFFILIATION_CHANGED, Duration.ofDays(7));
    RevocationList later = verified();
    assertThat(later.number()).isEqualTo(BigInteger.valueOf(3));
    assertThat(later.isRevoked(PemFiles.readCertificate(certs.signingCertificate("alice"))))
        .as("entries are kept")
        .isTrue();
    assertThat(later.compromised(PemFiles.readCertificate(certs.signingCertificate("bob"))))
        .isFalse();
  }

  @Test
  void revoke_ofAnAlreadyRevokedUser_writesNothing_andSaysSinceWhenAndWhy() throws Exception {
    revocation().revoke("alice", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));
    byte[] before = Files.readAllBytes(certs.crl());
    Instant revokedAt =
        verified()
            .revokedAt(PemFiles.readCertificate(certs.signingCertificate("alice")))
            .orElseThrow();

    revocation().revoke("alice", RevocationReason.SUPERSEDED, Duration.ofDays(7));

    assertThat(Files.readAllBytes(certs.crl())).as("ca.crl unchanged").isEqualTo(before);
    assertThat(revocation().alreadyRevoked("alice"))
        .contains(new PkiRevocation.Revoked(revokedAt, "keyCompromise"));
    assertThat(revocation().alreadyRevoked("bob")).isEmpty();
  }

  @Test
  void revoke_unknownUser_failsClearly() {
    assertThatThrownBy(
            () -> revocation().revoke("zed", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7)))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("zed");
  }

  @Test
  void renew_issuesNewKeys_revokesTheOldAsSuperseded_andKeepsThemForOldMessages() throws Exception {
    var oldSigning = PemFiles.readCertificate(certs.signingCertificate("alice"));
    revocation().renew("alice", 2048, 30, Duration.ofDays(7));
    var newSigning = PemFiles.readCertificate(certs.signingCertificate("alice"));
    assertThat(newSigning.getPublicKey()).isNotEqualTo(oldSigning.getPublicKey());
    RevocationList crl = verified();
    assertThat(crl.isRevoked(oldSigning)).isTrue();
    assertThat(crl.compromised(oldSigning)).isFalse();
    assertThat(crl.isRevoked(newSigning)).isFalse();
    List<Path> previous = certs.previousIdentityDirs("alice");
    assertThat(previous).hasSize(1);
    assertThat(Files.exists(previous.getFirst().resolve("encryption.key"))).isTrue();
  }

  @Test
  void crlPastItsNextUpdate_isRefused() throws Exception {
    TestPki pki = TestPki.create("alice");
    X509CRL stale =
        CrlIssuer.issue(
            pki.ca(),
            null,
            List.of(),
            Instant.now().minus(Duration.ofDays(10)),
            Duration.ofDays(7));
    assertThatThrownBy(() -> RevocationList.verify(stale, pki.ca().certificate(), Instant.now()))
        .isInstanceOf(CrlRejectedException.class)
        .hasMessageContaining("out of date");
  }

  @Test
  void crlSignedByAnotherCa_isRefused() throws Exception {
    TestPki pki = TestPki.create("alice");
    TestPki rogue = TestPki.rogue("alice");
    X509CRL forged =
        CrlIssuer.issue(rogue.ca(), null, List.of(), Instant.now(), Duration.ofDays(7));
    assertThatThrownBy(() -> RevocationList.verify(forged, pki.ca().certificate(), Instant.now()))
        .isInstanceOf(CrlRejectedException.class)
        .hasMessageContaining("signature");
  }

  @Test
  void list_marksRevokedIdentities() throws Exception {
    revocation().revoke("bob", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));
    var entries = PkiListing.list(certs, Instant.now());
    assertThat(entries)
        .filteredOn(e -> "bob".equals(e.name()))
        .allSatisfy(e -> assertThat(e.status()).startsWith("REVOKED"));
    assertThat(entries)
        .filteredOn(e -> "alice".equals(e.name()))
        .allSatisfy(e -> assertThat(e.status()).isEqualTo("valid"));
  }

  @Test
  void certificates_nameTheCrlDistributionPoint_whenInitWasGivenOne_andLaterIssuesKeepIt()
      throws Exception {
    CertsLayout withUrl = new CertsLayout(dir.resolve("with-url"));
    PkiAdmin admin = new PkiAdmin(withUrl, Clock.systemUTC(), line -> {});
    admin.init(
        PkiAdmin.InitOptions.defaults()
            .withKeyBits(2048)
            .withUsers(List.of("alice"))
            .withCrlUrl("http://crl.example.org:8444/ca.crl"));
    admin.issue("dave", 2048, 30, false);
    for (Path cert :
        List.of(
            withUrl.serverCertificate(),
            withUrl.signingCertificate("alice"),
            withUrl.encryptionCertificate("alice"),
            withUrl.signingCertificate("dave"))) {
      byte[] ext = PemFiles.readCertificate(cert).getExtensionValue("2.5.29.31");
      assertThat(ext).as(cert.toString()).isNotNull();
      assertThat(new String(ext, StandardCharsets.US_ASCII))
          .contains("http://crl.example.org:8444/ca.crl");
    }
    assertThat(PemFiles.readCertificate(withUrl.caCertificate()).getExtensionValue("2.5.29.31"))
        .as("not on the CA")
        .isNull();
    assertThat(
            PemFiles.readCertificate(certs.signingCertificate("alice"))
                .getExtensionValue("2.5.29.31"))
        .as("none when none was asked for")
        .isNull();
    assumeTrue(OpensslInteropTest.opensslAvailable(), OpensslInteropTest.NO_OPENSSL);
    var r =
        OpensslInteropTest.openssl(
            "x509", "-in", withUrl.signingCertificate("dave").toString(), "-noout", "-text");
    assertThat(r.output())
        .contains("CRL Distribution Points")
        .contains("URI:http://crl.example.org:8444/ca.crl");
  }

  @Test
  void crlUrl_thatIsNotHttp_isRefused() {
    assertThatThrownBy(() -> PkiAdmin.InitOptions.defaults().withCrlUrl("file:///etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--crl-url");
  }

  @Test
  void opensslCrl_verifiesTheCrlAgainstCaCrt_andShowsTheEntries() throws Exception {
    assumeTrue(OpensslInteropTest.opensslAvailable(), OpensslInteropTest.NO_OPENSSL);
    revocation().revoke("alice", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));
    var r =
        OpensslInteropTest.openssl(
            "crl",
            "-in",
            certs.crl().toString(),
            "-CAfile",
            certs.caCertificate().toString(),
            "-noout",
            "-text");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("verify OK").contains("Key Compromise").contains("CRL Number");
    String serial =
        PemFiles.readCertificate(certs.signingCertificate("alice"))
            .getSerialNumber()
            .toString(16)
            .toUpperCase(Locale.ROOT);
    assertThat(r.output().toUpperCase(Locale.ROOT).replace(":", "")).contains(serial);
  }
}
