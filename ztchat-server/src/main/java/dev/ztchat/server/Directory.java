package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.PemFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's directory of users' public certificates, as the CA issued them. It is filled from the
 * certs folder at start, from the client certificate of every connection, and from {@code publish}
 * frames. The relay only stores certificates that verify against the root CA, but clients must not
 * trust it for them: they verify everything themselves (docs/PROTOCOL.md section 7).
 */
final class Directory {
  private static final Logger LOG = LoggerFactory.getLogger(Directory.class);

  /** A user's entry; either certificate may still be unknown. */
  record Entry(X509Certificate signing, X509Certificate encryption) {}

  private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final CertificateVerifier verifier;
  private final Clock clock;

  Directory(CertificateVerifier verifier, Clock clock) {
    this.verifier = requireNonNull(verifier, "verifier");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Loads every user's public certificates found in the certs folder; skips (and logs) bad ones. */
  void loadFrom(CertsLayout certs) throws IOException {
    int loaded = 0;
    for (String name : certs.userNames()) {
      try {
        X509Certificate signing = PemFiles.readCertificate(certs.signingCertificate(name));
        learn(name, signing, CertificateRole.USER_SIGNING);
        if (Files.isRegularFile(certs.encryptionCertificate(name))) {
          learn(name, PemFiles.readCertificate(certs.encryptionCertificate(name)), CertificateRole.USER_ENCRYPTION);
        }
        loaded++;
      } catch (IOException | CertificateRejectedException e) {
        LOG.warn("directory: skipping user '{}': {}", name, e.getMessage());
      }
    }
    LOG.info("directory: {} users loaded from {}", loaded, certs.usersDir());
  }

  /** Stores a certificate after verifying it for {@code name} and {@code role}. */
  void learn(String name, X509Certificate cert, CertificateRole role) throws CertificateRejectedException {
    verifier.verify(cert, name, role, clock.instant());
    entries.merge(
        name,
        role == CertificateRole.USER_SIGNING ? new Entry(cert, null) : new Entry(null, cert),
        (old, add) ->
            new Entry(
                add.signing() != null ? add.signing() : old.signing(),
                add.encryption() != null ? add.encryption() : old.encryption()));
  }

  /** The user's entry, if any certificate of theirs is known. */
  Optional<Entry> lookup(String name) {
    return Optional.ofNullable(entries.get(name));
  }

  boolean knows(String name) {
    return entries.containsKey(name);
  }
}
