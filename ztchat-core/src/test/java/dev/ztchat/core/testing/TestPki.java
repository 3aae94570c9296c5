package dev.ztchat.core.testing;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.CrlIssuer;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.pki.UserIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A throw-away PKI for tests: a fresh root CA, a server certificate for localhost/127.0.0.1 and
 * users, generated at run time (RSA-2048 to keep tests quick), optionally written to a certs folder
 * in the standard {@link CertsLayout}.
 */
public final class TestPki {
  public static final int TEST_KEY_BITS = 2048;

  private final Credential ca;
  private final Credential server;
  private final Map<String, UserIdentity> users = new LinkedHashMap<>();
  private final Map<String, Credential> devices = new LinkedHashMap<>();
  private X509CRL crl;

  private TestPki(String caName) {
    Instant now = Instant.now().minus(Duration.ofMinutes(5));
    this.ca = CertificateIssuer.createRootCa(caName, TEST_KEY_BITS, now, Duration.ofDays(30));
    this.server =
        CertificateIssuer.issueServer(
            ca,
            "ztchat-server",
            List.of("localhost", "127.0.0.1"),
            TEST_KEY_BITS,
            now,
            Duration.ofDays(30));
  }

  /** A new CA with the given users. */
  public static TestPki create(String... userNames) {
    TestPki pki = new TestPki("ztchat test root CA");
    for (String u : userNames) {
      pki.addUser(u);
    }
    return pki;
  }

  /** A different CA, unrelated to any other (for rogue-CA tests). */
  public static TestPki rogue(String... userNames) {
    TestPki pki = new TestPki("ztchat test root CA");
    for (String u : userNames) {
      pki.addUser(u);
    }
    return pki;
  }

  public UserIdentity addUser(String name) {
    UserIdentity id =
        CertificateIssuer.issueUser(
            ca,
            name,
            TEST_KEY_BITS,
            Instant.now().minus(Duration.ofMinutes(5)),
            Duration.ofDays(30));
    users.put(name, id);
    return id;
  }

  /**
   * The CA's current CRL: fresh for a week, listing what {@link #revoke} revoked (an empty list at
   * first).
   */
  public synchronized X509CRL crl() {
    if (crl == null) {
      crl =
          CrlIssuer.issue(ca, null, List.of(), Instant.now().minusSeconds(60), Duration.ofDays(7));
    }
    return crl;
  }

  /**
   * Revokes {@code cert} (now) and returns the new CRL; call {@link #writeTo} again to publish it.
   */
  public synchronized X509CRL revoke(X509Certificate cert, RevocationReason reason) {
    crl =
        CrlIssuer.issue(
            ca,
            crl(),
            List.of(new CrlIssuer.Revocation(cert, reason)),
            Instant.now().minusSeconds(1),
            Duration.ofDays(7));
    return crl;
  }

  public Credential ca() {
    return ca;
  }

  public Credential server() {
    return server;
  }

  public UserIdentity user(String name) {
    UserIdentity id = users.get(name);
    if (id == null) {
      throw new IllegalArgumentException("no test user " + name);
    }
    return id;
  }

  /** The v2 device certificate (ECDSA P-256) of {@code name}, issued on first use. */
  public synchronized Credential device(String name) {
    return devices.computeIfAbsent(
        name,
        n ->
            CertificateIssuer.issueDevice(
                ca, n, Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(30), null));
  }

  /** Writes CA, server and every user to {@code dir} in the standard layout; returns the layout. */
  public CertsLayout writeTo(Path dir) {
    CertsLayout layout = new CertsLayout(dir);
    try {
      PemFiles.writeCertificate(layout.caCertificate(), ca.certificate(), true);
      PemFiles.writePrivateKey(layout.caKey(), ca.privateKey(), true);
      CrlFiles.write(layout.crl(), crl());
      PemFiles.writeCertificate(layout.serverCertificate(), server.certificate(), true);
      PemFiles.writePrivateKey(layout.serverKey(), server.privateKey(), true);
      for (UserIdentity u : users.values()) {
        layout.writeUser(u, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return layout;
  }
}
