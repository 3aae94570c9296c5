package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PkiAdminIssueTest {
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

  @Test
  void issue_newUser_getsSigningAndEncryptionCertificatesFromTheCa() throws Exception {
    PkiResult result = admin().issue("carol", BITS, 30, false);

    CertificateVerifier verifier =
        new CertificateVerifier(PemFiles.readCertificate(layout.caCertificate()));
    UserIdentity carol = layout.readUser("carol");
    Instant now = Instant.now();
    verifier.verify(carol.signing().certificate(), "carol", CertificateRole.USER_SIGNING, now);
    verifier.verify(
        carol.encryption().certificate(), "carol", CertificateRole.USER_ENCRYPTION, now);
    assertThat(carol.signing().certificate().getPublicKey())
        .isNotEqualTo(carol.encryption().certificate().getPublicKey());
    assertThat(result.written())
        .extracting(PkiFile::path)
        .containsExactly(
            layout.signingCertificate("carol"),
            layout.signingKey("carol"),
            layout.encryptionCertificate("carol"),
            layout.encryptionKey("carol"),
            layout.deviceCertificate("carol"),
            layout.deviceKey("carol"));
    assertThat(progress)
        .containsExactly(
            "generating user carol: signing key (RSA-2048)...",
            "generating user carol: encryption key (RSA-2048)...",
            "generating user carol: device key (ECDSA P-256)...");
    assertThat(
            Duration.between(
                carol.signing().certificate().getNotBefore().toInstant(),
                carol.signing().certificate().getNotAfter().toInstant()))
        .isEqualTo(Duration.ofDays(30));
  }

  @Test
  void issue_existingUser_isRefusedWithoutForceAndLeftUntouched() throws Exception {
    admin().issue("carol", BITS, 30, false);
    String before = Files.readString(layout.signingCertificate("carol"));
    progress.clear();

    assertThatThrownBy(() -> admin().issue("carol", BITS, 30, false))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(layout.signingCertificate("carol") + " already exists")
        .hasMessageContaining("user carol already has an identity")
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.of(Remedy.Kind.ALLOW_OVERWRITE)));
    assertThat(progress).isEmpty();
    assertThat(Files.readString(layout.signingCertificate("carol"))).isEqualTo(before);
  }

  @Test
  void issue_existingUserWithForce_getsNewKeys() throws Exception {
    admin().issue("carol", BITS, 30, false);
    X509Certificate before = PemFiles.readCertificate(layout.signingCertificate("carol"));

    admin().issue("carol", BITS, 30, true);

    X509Certificate after = PemFiles.readCertificate(layout.signingCertificate("carol"));
    assertThat(after.getPublicKey()).isNotEqualTo(before.getPublicKey());
    assertThat(PkiChecks.keyMatches(after, PemFiles.readPrivateKey(layout.signingKey("carol"))))
        .isTrue();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "\"\"                                | identity name is empty: use 1 to 32 characters",
        "abcdefghijabcdefghijabcdefghijabc | identity name is 33 characters long: at most 32",
        "Alice                             | identity name 'Alice' is not allowed: use only"
            + " lowercase",
        "a/b                               | identity name 'a/b' is not allowed",
        "../x                              | identity name '../x' is not allowed",
        ".hidden                           | starting with a letter or digit",
        "jos\u00e9                              | identity name 'jos\\u00e9' is not allowed",
        "\u0430lice                             | identity name '\\u0430lice' is not allowed",
        "a b                               | identity name 'a b' is not allowed",
      })
  void issue_invalidName_isRejectedWithAClearMessage(String name, String message) {
    assertThatThrownBy(() -> admin().issue(name, BITS, 30, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
    assertThat(progress).isEmpty();
    assertThat(layout.usersDir()).doesNotExist();
    assertThat(layout.root().resolve("x")).doesNotExist();
  }

  @Test
  void issue_withoutCaKey_failsNamingTheMissingFile() throws Exception {
    Files.delete(layout.caKey());

    assertThatThrownBy(() -> admin().issue("carol", BITS, 30, false))
        .isInstanceOf(PkiException.class)
        .hasMessageStartingWith(layout.caKey() + " not found")
        .hasMessageContaining("needs the root CA's private key");
    assertThat(progress).isEmpty();
  }

  @Test
  void issue_withoutCa_saysToRunInitFirst() {
    CertsLayout empty = new CertsLayout(dir.resolve("empty"));

    assertThatThrownBy(
            () ->
                new PkiAdmin(empty, Clock.systemUTC(), progress::add)
                    .issue("carol", BITS, 30, false))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("no root CA in " + empty.root())
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.of(Remedy.Kind.CREATE_PKI)));
  }

  @Test
  void issue_keySize1024_isRejected() {
    assertThatThrownBy(() -> admin().issue("carol", 1024, 30, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "key size 1024 is not allowed: use a multiple of 1024 between 2048 and 8192 (default"
                + " 3072)");
    assertThat(progress).isEmpty();
  }

  @Test
  void issue_caKeyOfAnotherCa_isRefused() throws Exception {
    TestPki other = TestPki.create();
    PemFiles.writePrivateKey(layout.caKey(), other.ca().privateKey(), true);

    assertThatThrownBy(() -> admin().issue("carol", BITS, 30, false))
        .isInstanceOf(PkiException.class)
        .hasMessage(
            layout.caKey()
                + " does not belong to "
                + layout.caCertificate()
                + ": restore the matching pair");
  }

  @Test
  void issue_afterTheCaExpired_isRefused() {
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(3651));

    assertThatThrownBy(
            () -> new PkiAdmin(layout, later, progress::add).issue("carol", BITS, 30, false))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("the root CA in " + layout.root() + " expired on")
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.of(Remedy.Kind.REPLACE_CA)));
  }

  @Test
  void issue_lifetimeBeyondTheCa_isShortenedToTheCaExpiryWithAWarning() throws Exception {
    CertsLayout shortLived = TestPki.create().writeTo(dir.resolve("short"));
    X509Certificate ca = PemFiles.readCertificate(shortLived.caCertificate());

    PkiResult result =
        new PkiAdmin(shortLived, Clock.systemUTC(), progress::add).issue("carol", BITS, 365, false);

    X509Certificate signing = PemFiles.readCertificate(shortLived.signingCertificate("carol"));
    assertThat(signing.getNotAfter()).isEqualTo(ca.getNotAfter());
    assertThat(result.warnings())
        .extracting(PkiWarning::text)
        .containsExactly(
            "carol's certificates expire with the root CA on " + ca.getNotAfter().toInstant());
  }
}
