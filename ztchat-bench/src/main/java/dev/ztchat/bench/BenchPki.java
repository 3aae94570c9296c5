package dev.ztchat.bench;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyType;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.UserIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A throw-away PKI for the benches, in the product's certs layout: a root CA, the relay's server
 * certificate and as many users as a bench needs. Every certificate is real and issued by the CA
 * (RSA-3072 by default, as {@code pki init}; with {@link KeyType#EC} the CA and the server key are
 * ECDSA P-256, as {@code pki init --key-type ec}, and user keys stay RSA); the users share one
 * signing and one encryption key pair, because generating 20,000 RSA keys for the capacity bench
 * would take longer than the bench. Each user still has its own certificate, so the relay
 * authenticates each one separately.
 */
public final class BenchPki implements AutoCloseable {
  private final Path root;
  private final CertsLayout layout;
  private final Credential ca;
  private final KeyPair signingKeys;
  private final KeyPair encryptionKeys;
  private final Map<String, UserIdentity> users = new HashMap<>();
  private final Instant notBefore = Instant.now().minus(Duration.ofHours(1));

  private final KeyType keyType;

  private BenchPki(Path root, int keyBits, KeyType keyType) throws IOException {
    this.root = root;
    this.keyType = keyType;
    this.layout = new CertsLayout(root.resolve("certs"));
    Files.createDirectories(layout.usersDir());
    this.ca =
        CertificateIssuer.createRootCa(
            "ztchat bench CA", keyType, keyBits, notBefore, Duration.ofDays(30));
    Credential server =
        CertificateIssuer.issueServer(
            ca,
            "ztchat-server",
            List.of("localhost", "127.0.0.1"),
            keyType,
            keyBits,
            notBefore,
            Duration.ofDays(30),
            null);
    PemFiles.writeCertificate(layout.caCertificate(), ca.certificate(), false);
    PemFiles.writeCertificate(layout.serverCertificate(), server.certificate(), false);
    PemFiles.writePrivateKey(layout.serverKey(), server.privateKey(), false);
    this.signingKeys = CertificateIssuer.generateRsaKeyPair(keyBits);
    this.encryptionKeys = CertificateIssuer.generateRsaKeyPair(keyBits);
  }

  /** A new PKI in a new temporary folder, RSA keys of {@code keyBits} bits. */
  public static BenchPki create(int keyBits) throws IOException {
    return create(keyBits, KeyType.RSA);
  }

  /**
   * A new PKI in a new temporary folder: CA and server keys of {@code caAndServer} (RSA of {@code
   * keyBits} bits, or ECDSA P-256), user keys RSA of {@code keyBits} bits.
   */
  public static BenchPki create(int keyBits, KeyType caAndServer) throws IOException {
    return new BenchPki(Files.createTempDirectory("ztchat-bench-"), keyBits, caAndServer);
  }

  /** The key type of the CA and the server certificate. */
  public KeyType keyType() {
    return keyType;
  }

  /** The product's certs layout (what {@code --certs} points at). */
  public CertsLayout layout() {
    return layout;
  }

  /** The temporary folder everything lives in; benches put their data folders under it. */
  public Path root() {
    return root;
  }

  /** A fresh folder under the root. */
  public Path newFolder(String prefix) throws IOException {
    return Files.createTempDirectory(root, prefix);
  }

  /** The root CA's certificate. */
  public X509Certificate caCertificate() {
    return ca.certificate();
  }

  /** The user {@code name}, issued (and written to the certs folder) on first use. */
  public synchronized UserIdentity user(String name) {
    return users.computeIfAbsent(
        name,
        n -> {
          UserIdentity id =
              new UserIdentity(
                  n,
                  leaf(n, CertificateRole.USER_SIGNING, signingKeys),
                  leaf(n, CertificateRole.USER_ENCRYPTION, encryptionKeys));
          try {
            layout.writeUser(id, true);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return id;
        });
  }

  /**
   * A version-2 device certificate (ECDSA P-256) for {@code name}, issued by this PKI's root CA as
   * the product's {@code PkiAdmin.addDevice} does; a new key pair at each call.
   */
  public Credential device(String name) {
    return CertificateIssuer.issueDevice(ca, name, notBefore, Duration.ofDays(30), null);
  }

  /** Issues every name in {@code names} (before a relay starts, so its directory knows them). */
  public void users(List<String> names) {
    names.forEach(this::user);
  }

  private Credential leaf(String name, CertificateRole role, KeyPair keys) {
    return new Credential(
        CertificateIssuer.build(
            new CertificateIssuer.Spec(
                name,
                keys.getPublic(),
                ca,
                null,
                notBefore,
                notBefore.plus(Duration.ofDays(30)),
                role,
                List.of())),
        keys.getPrivate());
  }

  @Override
  public void close() {
    try (var walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }
}
