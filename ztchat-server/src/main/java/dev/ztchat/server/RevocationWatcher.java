package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.CrlIssuer;
import dev.ztchat.core.pki.CrlRejectedException;
import dev.ztchat.core.pki.RevocationList;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the relay's view of the CA's revocation list current without a restart: it loads {@code
 * ca.crl} when {@link #start started}, checks the file every second (and on {@link #reload}, which
 * SIGHUP triggers), and after each change that verifies against the root CA, tells the relay so it
 * can close the live connections of certificates now revoked.
 *
 * <p>A list whose signature does not verify is refused and the previous one kept (logged). A list
 * past its nextUpdate is still used to refuse what it names (better than nothing) but logged as
 * stale, since clients will refuse it.
 */
final class RevocationWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RevocationWatcher.class);

  private final Path file;
  private final X509Certificate ca;
  private final Clock clock;
  private final Consumer<X509CRL> onChange;
  private final ScheduledExecutorService poller;
  private volatile X509CRL current;
  private FileTime lastModified;
  private long lastSize = -1;

  RevocationWatcher(Path file, X509Certificate ca, Clock clock, Consumer<X509CRL> onChange) {
    this.file = requireNonNull(file, "file");
    this.ca = requireNonNull(ca, "ca");
    this.clock = requireNonNull(clock, "clock");
    this.onChange = requireNonNull(onChange, "onChange");
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-crl-watch");
              t.setDaemon(true);
              return t;
            });
  }

  /** Loads the list now, then checks the file every second; {@link #close} stops it. */
  void start() {
    checkFile();
    poller.scheduleWithFixedDelay(this::checkFile, 1, 1, TimeUnit.SECONDS);
  }

  /** Re-reads the file now (the admin's reload, e.g. on SIGHUP). */
  void reload() {
    poller.execute(
        () -> {
          lastModified = null;
          checkFile();
        });
  }

  /** When {@code cert} was revoked, according to the current list. */
  Optional<Instant> revokedAt(X509Certificate cert) {
    return revokedAt(cert.getSerialNumber());
  }

  /** When the certificate with serial number {@code serial} was revoked, per the current list. */
  Optional<Instant> revokedAt(BigInteger serial) {
    X509CRL crl = current;
    if (crl == null) {
      return Optional.empty();
    }
    var entry = crl.getRevokedCertificate(serial);
    return entry == null ? Optional.empty() : Optional.of(entry.getRevocationDate().toInstant());
  }

  /** The current list as signed by the CA, or null if there is none. */
  X509CRL current() {
    return current;
  }

  private synchronized void checkFile() {
    try {
      if (!Files.isRegularFile(file)) {
        return;
      }
      FileTime modified = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      if (modified.equals(lastModified) && size == lastSize) {
        return;
      }
      lastModified = modified;
      lastSize = size;
      X509CRL crl = CrlFiles.read(file);
      try {
        crl.verify(ca.getPublicKey());
      } catch (GeneralSecurityException e) {
        LOG.error(
            "refusing {}: its signature was not made by the root CA; keeping the previous list",
            file);
        return;
      }
      if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
        LOG.error("refusing {}: not issued by the root CA; keeping the previous list", file);
        return;
      }
      X509CRL before = current;
      if (before != null && CrlIssuer.crlNumber(crl).compareTo(CrlIssuer.crlNumber(before)) < 0) {
        LOG.error("refusing {}: its CRL number is lower than the one in use (a rollback?)", file);
        return;
      }
      current = crl;
      int entries = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
      LOG.info(
          "revocation list loaded: number {}, {} revoked certificates, next update {}",
          CrlIssuer.crlNumber(crl),
          entries,
          crl.getNextUpdate().toInstant());
      try {
        RevocationList.verify(crl, ca, clock.instant());
      } catch (CrlRejectedException e) {
        LOG.warn("the revocation list is not fresh: {}", e.getMessage());
      }
      onChange.accept(crl);
    } catch (IOException | RuntimeException e) {
      LOG.error(
          "cannot read the revocation list {}: {}; keeping the previous one", file, e.getMessage());
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
