package dev.ztchat.core.pki;

import static dev.ztchat.core.pki.CertAssertions.BASIC_CONSTRAINTS;
import static dev.ztchat.core.pki.CertAssertions.CLIENT_AUTH;
import static dev.ztchat.core.pki.CertAssertions.CRL_SIGN;
import static dev.ztchat.core.pki.CertAssertions.DIGITAL_SIGNATURE;
import static dev.ztchat.core.pki.CertAssertions.KEY_CERT_SIGN;
import static dev.ztchat.core.pki.CertAssertions.KEY_ENCIPHERMENT;
import static dev.ztchat.core.pki.CertAssertions.KEY_USAGE;
import static dev.ztchat.core.pki.CertAssertions.SERVER_AUTH;
import static dev.ztchat.core.pki.CertAssertions.keyUsageBits;
import static dev.ztchat.core.pki.CertAssertions.subjectAltNames;
import static java.nio.file.attribute.PosixFilePermission.GROUP_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OWNER_READ;
import static java.nio.file.attribute.PosixFilePermission.OWNER_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.remedy.Remedy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PkiAdminInitTest {
  static final int BITS = 2048;

  @TempDir static Path sharedDir;
  static CertsLayout shared;
  static PkiResult sharedResult;
  static final List<String> sharedProgress = new ArrayList<>();

  @TempDir Path dir;

  /** One PKI for the tests that only read it: key generation is the slow part. */
  @BeforeAll
  static void initShared() throws Exception {
    shared = new CertsLayout(sharedDir.resolve("certs"));
    sharedResult =
        new PkiAdmin(shared, Clock.systemUTC(), sharedProgress::add)
            .init(
                PkiAdmin.InitOptions.defaults()
                    .withKeyBits(BITS)
                    .withExtraServerNames(List.of("Chat.Example.org", "10.0.0.7", "::1")));
  }

  static PkiAdmin admin(CertsLayout layout) {
    return new PkiAdmin(layout, Clock.systemUTC(), line -> {});
  }

  static PkiAdmin.InitOptions small(String... users) {
    return PkiAdmin.InitOptions.defaults().withKeyBits(BITS).withUsers(List.of(users));
  }

  @Test
  void init_ca_isSelfSignedWithCriticalCaTrueAndOnlyCertSignAndCrlSign() throws Exception {
    X509Certificate ca = PemFiles.readCertificate(shared.caCertificate());

    assertThat(ca.getSubjectX500Principal()).isEqualTo(ca.getIssuerX500Principal());
    ca.verify(ca.getPublicKey());
    assertThat(ca.getCriticalExtensionOIDs()).contains(BASIC_CONSTRAINTS, KEY_USAGE);
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(keyUsageBits(ca)).containsExactly(KEY_CERT_SIGN, CRL_SIGN);
    assertThat(Certificates.commonName(ca)).isEqualTo(PkiAdmin.CA_COMMON_NAME);
  }

  @Test
  void init_server_hasServerAuthAndLoopbackSansPlusExtraSans() throws Exception {
    X509Certificate server = PemFiles.readCertificate(shared.serverCertificate());

    assertThat(server.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
    assertThat(keyUsageBits(server)).containsExactly(DIGITAL_SIGNATURE);
    assertThat(server.getBasicConstraints()).isEqualTo(-1);
    assertThat(server.getCriticalExtensionOIDs()).contains(BASIC_CONSTRAINTS);
    assertThat(subjectAltNames(server))
        .containsExactly(
            "DNS:localhost",
            "IP:127.0.0.1",
            "DNS:chat.example.org",
            "IP:10.0.0.7",
            "IP:0:0:0:0:0:0:0:1");
  }

  @Test
  void init_userSigning_hasClientAuthDigitalSignatureAndTheUserAsCn() throws Exception {
    for (String user : PkiAdmin.DEFAULT_USERS) {
      X509Certificate signing = PemFiles.readCertificate(shared.signingCertificate(user));

      assertThat(Certificates.commonName(signing)).isEqualTo(user);
      assertThat(signing.getSubjectX500Principal().getName()).isEqualTo("CN=" + user + ",O=ztchat");
      assertThat(signing.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
      assertThat(keyUsageBits(signing)).containsExactly(DIGITAL_SIGNATURE);
      assertThat(signing.getBasicConstraints()).isEqualTo(-1);
    }
  }

  @Test
  void init_userEncryption_hasKeyEnciphermentOnly() throws Exception {
    X509Certificate encryption = PemFiles.readCertificate(shared.encryptionCertificate("alice"));

    assertThat(Certificates.commonName(encryption)).isEqualTo("alice");
    assertThat(keyUsageBits(encryption)).containsExactly(KEY_ENCIPHERMENT);
    assertThat(encryption.getExtendedKeyUsage()).isNull();
    assertThat(encryption.getBasicConstraints()).isEqualTo(-1);
  }

  @Test
  void init_everyLeaf_isValidUnderTheNewCaForItsRole() throws Exception {
    CertificateVerifier verifier =
        new CertificateVerifier(PemFiles.readCertificate(shared.caCertificate()));
    Instant now = Instant.now();

    verifier.verify(
        PemFiles.readCertificate(shared.serverCertificate()), null, CertificateRole.SERVER, now);
    for (String user : PkiAdmin.DEFAULT_USERS) {
      UserIdentity id = shared.readUser(user);
      verifier.verify(id.signing().certificate(), user, CertificateRole.USER_SIGNING, now);
      verifier.verify(id.encryption().certificate(), user, CertificateRole.USER_ENCRYPTION, now);
    }
    assertThat(shared.localIdentities()).containsExactly("alice", "bob");
  }

  @Test
  void init_everyKey_hasTheRequestedSizeAndMatchesItsCertificate() throws Exception {
    List<Path[]> pairs = new ArrayList<>();
    pairs.add(new Path[] {shared.caCertificate(), shared.caKey()});
    pairs.add(new Path[] {shared.serverCertificate(), shared.serverKey()});
    for (String user : PkiAdmin.DEFAULT_USERS) {
      pairs.add(new Path[] {shared.signingCertificate(user), shared.signingKey(user)});
      pairs.add(new Path[] {shared.encryptionCertificate(user), shared.encryptionKey(user)});
    }
    for (Path[] pair : pairs) {
      X509Certificate cert = PemFiles.readCertificate(pair[0]);
      assertThat(((RSAPublicKey) cert.getPublicKey()).getModulus().bitLength())
          .as(pair[0].toString())
          .isEqualTo(BITS);
      assertThat(PkiChecks.keyMatches(cert, PemFiles.readPrivateKey(pair[1])))
          .as(pair[1].toString())
          .isTrue();
    }
  }

  @Test
  void init_keyFiles_areExactly0600AndCertificatesNotWritableByOthers() throws Exception {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(shared.root())) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).hasSize(17); // 13 files of v1 and each user's device.crt and device.key
    for (Path file : files) {
      var perms = Files.getPosixFilePermissions(file);
      if (file.toString().endsWith(".crl")) {
        assertThat(perms).as(file.toString()).doesNotContain(OTHERS_WRITE, GROUP_WRITE);
        assertThat(Files.readString(file)).startsWith("-----BEGIN X509 CRL-----");
      } else if (file.toString().endsWith(".key")) {
        assertThat(perms).as(file.toString()).isEqualTo(Set.of(OWNER_READ, OWNER_WRITE));
        assertThat(Files.readString(file))
            .startsWith(
                "-----BEGIN " + "PRIVATE KEY-----"); // split, so no tracked file looks like a key
      } else {
        assertThat(perms).as(file.toString()).doesNotContain(OTHERS_WRITE, GROUP_WRITE);
        assertThat(Files.readString(file)).startsWith("-----BEGIN CERTIFICATE-----");
      }
    }
  }

  @Test
  void init_reportsOneProgressLinePerItemAndWhereEachFileGoes() {
    assertThat(sharedProgress)
        .containsExactly(
            "generating root CA (RSA-2048)...",
            "generating server certificate for localhost, 127.0.0.1, chat.example.org, 10.0.0.7,"
                + " 0:0:0:0:0:0:0:1 (RSA-2048)...",
            "generating user alice: signing and encryption keys (RSA-2048)...",
            "generating user alice: device key (ECDSA P-256)...",
            "generating user bob: signing and encryption keys (RSA-2048)...",
            "generating user bob: device key (ECDSA P-256)...");
    assertThat(sharedResult.written()).hasSize(17);
    assertThat(sharedResult.written())
        .filteredOn(PkiFile::secret)
        .extracting(f -> f.path().getFileName().toString())
        .allMatch(name -> name.endsWith(".key"))
        .hasSize(8);
    PkiFile caKey = sharedResult.written().get(1);
    assertThat(caKey.path()).isEqualTo(shared.caKey());
    assertThat(caKey.goesTo()).contains("PKI admin only").contains("offline");
    assertThat(sharedResult.warnings()).isEmpty();
  }

  @Test
  void init_saysTheCrlNeedsReissuing_asARemedy_andNoFileNamesACommand() {
    assertThat(sharedResult.written())
        .filteredOn(f -> f.path().equals(shared.crl()))
        .singleElement()
        .extracting(PkiFile::upkeep)
        .isEqualTo(Optional.of(Remedy.of(Remedy.Kind.REISSUE_CRL_WEEKLY)));
    assertThat(sharedResult.written())
        .extracting(PkiFile::goesTo)
        .noneMatch(text -> text.contains("./ztchat") || text.contains(" --"));
  }

  @Test
  void init_existingCa_isRefusedWithoutForceAndLeftUntouched() throws Exception {
    CertsLayout layout = new CertsLayout(dir);
    admin(layout).init(small("alice"));
    String before = Files.readString(layout.caCertificate());
    List<String> progress = new ArrayList<>();

    assertThatThrownBy(
            () -> new PkiAdmin(layout, Clock.systemUTC(), progress::add).init(small("alice")))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(layout.caKey() + " already exists")
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.of(Remedy.Kind.ALLOW_OVERWRITE)));
    assertThat(progress).as("no key generated before the refusal").isEmpty();
    assertThat(Files.readString(layout.caCertificate())).isEqualTo(before);
  }

  @Test
  void init_existingUserWithoutCa_isRefusedNamingTheFile() throws Exception {
    CertsLayout layout = new CertsLayout(dir);
    Files.createDirectories(layout.userDir("alice"));
    Files.writeString(layout.signingCertificate("alice"), "not a certificate");

    assertThatThrownBy(() -> admin(layout).init(small("alice")))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining(layout.signingCertificate("alice") + " already exists")
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.of(Remedy.Kind.ALLOW_OVERWRITE)));
    assertThat(layout.caCertificate()).doesNotExist();
  }

  @Test
  void init_existingCa_isReplacedWithForceAndStaleUsersAreNamed() throws Exception {
    CertsLayout layout = new CertsLayout(dir);
    admin(layout).init(small("alice", "carol"));
    X509Certificate oldCa = PemFiles.readCertificate(layout.caCertificate());

    PkiResult result = admin(layout).init(small("alice").withForce(true));

    X509Certificate newCa = PemFiles.readCertificate(layout.caCertificate());
    assertThat(Certificates.fingerprint(newCa)).isNotEqualTo(Certificates.fingerprint(oldCa));
    new CertificateVerifier(newCa)
        .verify(
            PemFiles.readCertificate(layout.signingCertificate("alice")),
            "alice",
            CertificateRole.USER_SIGNING,
            Instant.now());
    assertThat(result.warnings())
        .singleElement()
        .asString()
        .contains(layout.userDir("carol").toString())
        .contains("no longer trusted");
    RemedyAssert.hasRemedy(
        result.warnings().getFirst(), Remedy.forUser(Remedy.Kind.REISSUE_USER, "carol"));
  }

  @Test
  void init_dirThatIsAFile_isRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("certs"), "not a folder");

    assertThatThrownBy(() -> admin(new CertsLayout(file)).init(small("alice")))
        .isInstanceOf(PkiException.class)
        .hasMessage(file + " is not a directory")
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.of(Remedy.Kind.OTHER_CERTS_FOLDER)));
  }

  static Stream<Arguments> badInitOptions() {
    PkiAdmin.InitOptions base = small("alice");
    return Stream.of(
        Arguments.of(base.withUsers(List.of("Alice")), "identity name 'Alice' is not allowed"),
        Arguments.of(base.withUsers(List.of("")), "identity name is empty"),
        Arguments.of(base.withUsers(List.of("alice", "alice")), "user 'alice' is listed twice"),
        Arguments.of(base.withKeyBits(1024), "key size 1024 is not allowed"),
        Arguments.of(base.withKeyBits(3000), "key size 3000 is not allowed"),
        Arguments.of(base.withDays(0), "validity of 0 days is not allowed: use 1 to 3650 days"),
        Arguments.of(base.withDays(3651), "validity of 3651 days is not allowed"),
        Arguments.of(
            base.withExtraServerNames(List.of("bad_name")),
            "server name 'bad_name' is not a valid DNS name or IP address"),
        Arguments.of(
            base.withExtraServerNames(List.of("999.1.1.1")),
            "server name '999.1.1.1' is not a valid IP address"),
        Arguments.of(
            base.withExtraServerNames(List.of("-x.example.org")),
            "server name '-x.example.org' is not a valid DNS name"),
        Arguments.of(base.withExtraServerNames(List.of(" ")), "server name is empty"));
  }

  @ParameterizedTest
  @MethodSource("badInitOptions")
  void init_invalidOption_isRejectedBeforeAnyKeyIsGenerated(
      PkiAdmin.InitOptions options, String message) {
    CertsLayout layout = new CertsLayout(dir.resolve("certs"));
    List<String> progress = new ArrayList<>();

    assertThatThrownBy(() -> new PkiAdmin(layout, Clock.systemUTC(), progress::add).init(options))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
    assertThat(progress).isEmpty();
    assertThat(layout.root()).doesNotExist();
  }

  @Test
  void init_longLeafLifetime_neverOutlivesTheCa() throws Exception {
    CertsLayout layout = new CertsLayout(dir);
    admin(layout).init(small().withDays(PkiAdmin.MAX_DAYS));

    X509Certificate ca = PemFiles.readCertificate(layout.caCertificate());
    X509Certificate server = PemFiles.readCertificate(layout.serverCertificate());
    assertThat(
            Duration.between(server.getNotBefore().toInstant(), server.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofDays(PkiAdmin.MAX_DAYS));
    assertThat(ca.getNotAfter()).isAfterOrEqualTo(server.getNotAfter());
    assertThat(layout.userNames()).isEmpty();
  }
}
