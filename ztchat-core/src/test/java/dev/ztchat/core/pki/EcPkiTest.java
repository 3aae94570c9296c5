package dev.ztchat.core.pki;

import static dev.ztchat.core.pki.OpensslInteropTest.openssl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ztchat.core.pki.OpensslInteropTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pki init --key-type ec}: the root CA and the server key are ECDSA P-256 and sign with
 * SHA256withECDSA, user keys stay RSA, and everything downstream (issue, revoke, CRL, the verifier,
 * reading the keys back, {@code openssl verify} and {@code openssl crl -verify}) works with it.
 * Unsupported key types are refused.
 */
class EcPkiTest {
  static final int BITS = 2048;

  @TempDir static Path sharedDir;
  static CertsLayout certs;
  static final List<String> progress = new ArrayList<>();

  @TempDir Path dir;

  @BeforeAll
  static void initEc() throws Exception {
    certs = new CertsLayout(sharedDir.resolve("certs"));
    new PkiAdmin(certs, Clock.systemUTC(), progress::add)
        .init(PkiAdmin.InitOptions.defaults().withKeyBits(BITS).withKeyType(KeyType.EC));
    new PkiAdmin(certs, Clock.systemUTC(), line -> {}).issue("carol", BITS, 30, false);
    new PkiRevocation(certs, Clock.systemUTC(), line -> {})
        .revoke("carol", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));
  }

  static X509Certificate read(Path file) throws Exception {
    return PemFiles.readCertificate(file);
  }

  @Test
  void ecInit_caAndServerAreP256_signedWithEcdsa_usersStayRsa() throws Exception {
    X509Certificate ca = read(certs.caCertificate());
    X509Certificate server = read(certs.serverCertificate());

    assertThat(ca.getPublicKey()).isInstanceOf(ECPublicKey.class);
    assertThat(server.getPublicKey()).isInstanceOf(ECPublicKey.class);
    assertThat(KeyType.describe(ca.getPublicKey())).isEqualTo("ECDSA P-256");
    assertThat(ca.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(server.getSigAlgName()).isEqualTo("SHA256withECDSA");
    for (String user : List.of("alice", "bob", "carol")) {
      X509Certificate signing = read(certs.signingCertificate(user));
      assertThat(signing.getPublicKey()).isInstanceOf(RSAPublicKey.class);
      assertThat(signing.getSigAlgName()).as("signed by the EC CA").isEqualTo("SHA256withECDSA");
      assertThat(read(certs.encryptionCertificate(user)).getPublicKey())
          .isInstanceOf(RSAPublicKey.class);
    }
    assertThat(progress).contains("generating root CA (ECDSA P-256)...");
  }

  @Test
  void ecInit_privateKeysAreMode0600_andReadBackAsEcKeysThatMatch() throws Exception {
    for (Path key : List.of(certs.caKey(), certs.serverKey(), certs.signingKey("alice"))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
          .as(key.toString())
          .isEqualTo("rw-------");
    }
    assertThat(PemFiles.readPrivateKey(certs.caKey())).isInstanceOf(ECPrivateKey.class);
    assertThat(PemFiles.readPrivateKey(certs.serverKey())).isInstanceOf(ECPrivateKey.class);
    assertThat(
            PkiChecks.keyMatches(
                read(certs.serverCertificate()), PemFiles.readPrivateKey(certs.serverKey())))
        .isTrue();
    assertThat(
            PkiChecks.keyMatches(
                read(certs.caCertificate()), PemFiles.readPrivateKey(certs.serverKey())))
        .as("another EC key does not match")
        .isFalse();
  }

  @Test
  void ecCa_verifierAcceptsItsUsersAndServer_andTheEcdsaSignedCrl() throws Exception {
    X509Certificate ca = read(certs.caCertificate());
    CertificateVerifier verifier = new CertificateVerifier(ca);
    Instant now = Instant.now();

    verifier.verify(
        read(certs.signingCertificate("alice")), "alice", CertificateRole.USER_SIGNING, now);
    verifier.verify(
        read(certs.encryptionCertificate("alice")), "alice", CertificateRole.USER_ENCRYPTION, now);
    verifier.verify(
        read(certs.serverCertificate()), PkiAdmin.SERVER_COMMON_NAME, CertificateRole.SERVER, now);
    X509CRL crl = CrlFiles.read(certs.crl());
    assertThat(crl.getSigAlgName()).isEqualTo("SHA256withECDSA");
    RevocationList list = RevocationList.verify(crl, ca, now);
    assertThat(list.revokedAt(read(certs.signingCertificate("carol")))).isPresent();
    assertThat(list.revokedAt(read(certs.signingCertificate("alice")))).isEmpty();
  }

  @Test
  void ecServerKey_isRefusedForAUserCertificate() throws Exception {
    X509Certificate server = read(certs.serverCertificate());
    CertificateVerifier verifier = new CertificateVerifier(read(certs.caCertificate()));

    assertThatThrownBy(
            () ->
                verifier.verify(
                    server,
                    PkiAdmin.SERVER_COMMON_NAME,
                    CertificateRole.USER_SIGNING,
                    Instant.now()))
        .isInstanceOf(CertificateRejectedException.class);
  }

  @Test
  void pkiList_showsEveryEcIssuedCertificateAsValid_andTheRevokedOne() throws Exception {
    List<PkiListing.Entry> entries = PkiListing.list(certs, Instant.now());

    assertThat(entries)
        .filteredOn(e -> !e.name().equals("carol"))
        .extracting(PkiListing.Entry::status)
        .containsOnly("valid");
    assertThat(entries)
        .filteredOn(e -> e.name().equals("carol"))
        .extracting(PkiListing.Entry::status)
        .allMatch(s -> s.startsWith("REVOKED"));
  }

  @Test
  void exportServerAndUser_acceptTheEcServerKey_andEveryEcIssuedUser() throws Exception {
    PkiExport export = new PkiExport(certs, Clock.systemUTC());

    PkiResult server = export.exportServer(dir.resolve("server-bundle"), false);
    PkiResult alice = export.exportUser("alice", dir.resolve("alice-bundle"), false);

    CertsLayout bundle = new CertsLayout(dir.resolve("server-bundle"));
    assertThat(PemFiles.readPrivateKey(bundle.serverKey())).isInstanceOf(ECPrivateKey.class);
    assertThat(server.warnings()).as("no user left out").isEmpty();
    assertThat(bundle.userNames()).containsExactly("alice", "bob", "carol");
    assertThat(alice.written())
        .extracting(PkiFile::path)
        .contains(dir.resolve("alice-bundle").resolve("ca.crt"));
  }

  @Test
  void opensslVerify_acceptsServerAndUserCertificates_andTheCrl() throws Exception {
    assumeTrue(OpensslInteropTest.opensslAvailable(), OpensslInteropTest.NO_OPENSSL);
    String ca = certs.caCertificate().toString();
    List<Path> leaves =
        List.of(
            certs.serverCertificate(),
            certs.signingCertificate("alice"),
            certs.encryptionCertificate("alice"),
            certs.signingCertificate("bob"));
    for (Path leaf : leaves) {
      Result r = openssl("verify", "-CAfile", ca, leaf.toString());
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(r.output().strip()).isEqualTo(leaf + ": OK");
    }
    Result server =
        openssl(
            "verify", "-CAfile", ca, "-purpose", "sslserver", certs.serverCertificate().toString());
    assertThat(server.exit()).as(server.output()).isZero();

    Result crl = openssl("crl", "-in", certs.crl().toString(), "-CAfile", ca, "-verify", "-noout");
    assertThat(crl.exit()).as(crl.output()).isZero();
    assertThat(crl.output()).contains("verify OK");

    Result revoked =
        openssl(
            "verify",
            "-crl_check",
            "-CAfile",
            ca,
            "-CRLfile",
            certs.crl().toString(),
            certs.signingCertificate("carol").toString());
    assertThat(revoked.exit()).isNotZero();
    assertThat(revoked.output()).contains("certificate revoked");
  }

  @Test
  void opensslPkey_readsTheEcKeys_asP256() throws Exception {
    assumeTrue(OpensslInteropTest.opensslAvailable(), OpensslInteropTest.NO_OPENSSL);
    for (Path[] pair :
        List.of(
            new Path[] {certs.caCertificate(), certs.caKey()},
            new Path[] {certs.serverCertificate(), certs.serverKey()})) {
      Result fromKey = openssl("pkey", "-in", pair[1].toString(), "-pubout");
      Result fromCert = openssl("x509", "-in", pair[0].toString(), "-noout", "-pubkey");
      assertThat(fromKey.exit()).isZero();
      assertThat(fromKey.output()).isEqualTo(fromCert.output());
      assertThat(OpensslInteropTest.text(pair[0]))
          .contains("ASN1 OID: prime256v1")
          .contains("Signature Algorithm: ecdsa-with-SHA256");
    }
  }

  @Test
  void rsaDefault_isUnchanged() throws Exception {
    CertsLayout rsa = new CertsLayout(dir.resolve("rsa"));
    new PkiAdmin(rsa, Clock.systemUTC(), line -> {})
        .init(PkiAdmin.InitOptions.defaults().withKeyBits(BITS).withUsers(List.of("alice")));

    for (Path cert :
        List.of(rsa.caCertificate(), rsa.serverCertificate(), rsa.signingCertificate("alice"))) {
      assertThat(read(cert).getPublicKey()).isInstanceOf(RSAPublicKey.class);
      assertThat(read(cert).getSigAlgName()).isEqualTo("SHA256withRSA");
    }
    assertThat(CrlFiles.read(rsa.crl()).getSigAlgName()).isEqualTo("SHA256withRSA");
  }

  @Test
  void keyTypeOption_acceptsRsaAndEc_andNamesTheChoicesOtherwise() {
    assertThat(KeyType.fromOption("rsa")).isEqualTo(KeyType.RSA);
    assertThat(KeyType.fromOption("EC")).isEqualTo(KeyType.EC);
    assertThatThrownBy(() -> KeyType.fromOption("ed25519"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--key-type 'ed25519' is not supported: use rsa (default) or ec");
  }

  @Test
  void unsupportedKeyTypes_areRefused_whenReadAndWhenSigning() throws Exception {
    var ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Path edKey = dir.resolve("ed.key");
    PemFiles.writePrivateKey(edKey, ed.getPrivate(), false);
    assertThatThrownBy(() -> PemFiles.readPrivateKey(edKey))
        .hasMessageContaining("unsupported type")
        .hasMessageContaining("RSA keys and ECDSA keys on P-256 only");

    var g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    var p384 = g.generateKeyPair();
    Path p384Key = dir.resolve("p384.key");
    PemFiles.writePrivateKey(p384Key, p384.getPrivate(), false);
    assertThatThrownBy(() -> PemFiles.readPrivateKey(p384Key))
        .hasMessageContaining("RSA keys and ECDSA keys on P-256 only");
    assertThatThrownBy(() -> KeyType.signatureAlgorithmFor(ed.getPrivate()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
