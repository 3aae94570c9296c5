package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.transport.TlsContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's TLS material (its certificate and key, and the root CA clients are checked against)
 * and the TLS context built from it, swapped atomically on {@link #reload}: SIGHUP, or a change to
 * {@code server.crt}, {@code server.key} or {@code ca.crt} noticed within {@value #POLL_SECONDS} s.
 * New connections get the context current when they are accepted; connections already open keep
 * theirs. A new set is refused, and the current one kept, unless the files read, the key belongs to
 * the certificate, the certificate was issued by the CA and is valid now, and the CA has the same
 * key as before (a new root CA would orphan every user's certificate: that needs a restart).
 */
final class ServerTlsMaterial implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTlsMaterial.class);
  static final int POLL_SECONDS = 2;

  /** One consistent set: the context and the certificates it was built from. */
  record Loaded(SslContext context, X509Certificate ca, X509Certificate server) {}

  private final CertsLayout certs;
  private final SslProvider provider;
  private final Clock clock;
  private final Function<X509Certificate, Optional<Instant>> revokedAt;
  private final CrlFreshnessPolicy freshness;
  private final Supplier<X509CRL> crl;
  private final AtomicReference<Loaded> current = new AtomicReference<>();
  private final ScheduledExecutorService poller;
  private String stamp; // guarded by this

  ServerTlsMaterial(
      CertsLayout certs,
      SslProvider provider,
      Clock clock,
      Function<X509Certificate, Optional<Instant>> revokedAt,
      CrlFreshnessPolicy freshness,
      Supplier<X509CRL> crl,
      X509Certificate ca,
      Credential server)
      throws IOException {
    this.certs = requireNonNull(certs, "certs");
    this.provider = requireNonNull(provider, "provider");
    this.clock = requireNonNull(clock, "clock");
    this.revokedAt = requireNonNull(revokedAt, "revokedAt");
    this.freshness = requireNonNull(freshness, "freshness");
    this.crl = requireNonNull(crl, "crl");
    this.current.set(build(ca, server));
    this.stamp = stampOfFiles();
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-tls-watch");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Checks the files every {@value #POLL_SECONDS} s from now on, and the revocation list's
   * freshness (which decides whether this material lets anyone in); {@link #close} stops it.
   */
  void start() {
    poller.scheduleWithFixedDelay(
        () -> freshness.check(crl.get(), clock.instant()), 0, 1, TimeUnit.MINUTES);
    poller.scheduleWithFixedDelay(
        () -> {
          if (!stampOfFiles().equals(stampSeen())) {
            reload();
          }
        },
        POLL_SECONDS,
        POLL_SECONDS,
        TimeUnit.SECONDS);
  }

  private synchronized String stampSeen() {
    return stamp;
  }

  SslContext context() {
    return current.get().context();
  }

  Loaded current() {
    return current.get();
  }

  /**
   * Reads the files again and swaps in what they hold if it is sound; returns whether it did. A
   * refusal is logged with its reason, and the current material stays.
   */
  synchronized boolean reload() {
    stamp = stampOfFiles();
    Loaded before = current.get();
    try {
      X509Certificate ca = PemFiles.readCertificate(certs.caCertificate());
      Credential server =
          new Credential(
              PemFiles.readCertificate(certs.serverCertificate()),
              PemFiles.readPrivateKey(certs.serverKey()));
      check(before.ca(), ca, server);
      Loaded next = build(ca, server);
      current.set(next);
      LOG.info(
          "TLS material reloaded: server certificate serial {} valid until {}, CA {}; new"
              + " connections use it",
          server.certificate().getSerialNumber().toString(16),
          server.certificate().getNotAfter().toInstant(),
          ca.getSubjectX500Principal().getName());
      return true;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      LOG.error(
          "reload refused: {}; keeping the current server certificate (serial {})",
          e.getMessage(),
          before.server().getSerialNumber().toString(16));
      return false;
    }
  }

  private void check(X509Certificate caBefore, X509Certificate ca, Credential server)
      throws GeneralSecurityException {
    if (!caBefore.getPublicKey().equals(ca.getPublicKey())) {
      throw new GeneralSecurityException(
          certs.caCertificate()
              + " holds a different CA key; users' certificates were issued by the old one, so a"
              + " new root CA needs a restart");
    }
    X509Certificate cert = server.certificate();
    try {
      cert.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException(
          certs.serverCertificate() + " was not issued by the CA in " + certs.caCertificate(), e);
    }
    cert.checkValidity(Date.from(clock.instant()));
    ca.checkValidity(Date.from(clock.instant()));
    if (!keyMatches(server)) {
      throw new GeneralSecurityException(
          certs.serverKey() + " is not the key of " + certs.serverCertificate());
    }
  }

  /** Whether the private key signs what the certificate's public key verifies. */
  private static boolean keyMatches(Credential server) throws GeneralSecurityException {
    String algorithm =
        server.privateKey().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    Signature s = Signature.getInstance(algorithm);
    s.initSign(server.privateKey());
    s.update(challenge);
    byte[] signature = s.sign();
    Signature v = Signature.getInstance(algorithm);
    v.initVerify(server.certificate().getPublicKey());
    v.update(challenge);
    return v.verify(signature);
  }

  private Loaded build(X509Certificate ca, Credential server) throws IOException {
    SslContext context =
        TlsContexts.server(
            server,
            new StaleCrlGuard(
                new ClientCertificateTrustManager(new CertificateVerifier(ca), clock, revokedAt),
                freshness,
                crl,
                clock),
            provider);
    return new Loaded(context, ca, server.certificate());
  }

  private String stampOfFiles() {
    StringBuilder s = new StringBuilder();
    for (Path f : List.of(certs.caCertificate(), certs.serverCertificate(), certs.serverKey())) {
      try {
        s.append(Files.getLastModifiedTime(f).toMillis()).append('/').append(Files.size(f));
      } catch (IOException e) {
        s.append("missing");
      }
      s.append(';');
    }
    return s.toString();
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
