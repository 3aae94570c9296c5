package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.pki.PemFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the relay's {@link Directory} in step with its certs folder without a restart, as {@link
 * RevocationWatcher} does for the CRL: it reads every user's certificates when {@link #start
 * started}, then checks the folder every {@value #POLL_SECONDS} seconds (and on {@link #reload}),
 * and teaches the directory every certificate that is new or changed: {@code
 * users/NAME/signing.crt} and {@code encryption.crt} of users issued or renewed meanwhile, their v2
 * {@code device.crt} and {@code devices/DEVICE/device.crt} (learned as {@link
 * CertificateRole#DEVICE}, never as a signing certificate), and the earlier signing certificates
 * kept in {@code users/NAME/previous/SERIAL/} by a renewal. A certificate that does not verify
 * against the root CA for its folder's name is skipped and logged; the directory decides which
 * certificate is current, so an old file never rolls it back.
 */
final class CertsWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CertsWatcher.class);
  static final int POLL_SECONDS = 2;

  private final CertsLayout certs;
  private final Directory directory;
  private final ScheduledExecutorService poller;

  /** Files already read, with the modification time and size they had then. */
  private final Map<Path, String> seen = new HashMap<>(); // guarded by this

  CertsWatcher(CertsLayout certs, Directory directory) {
    this.certs = requireNonNull(certs, "certs");
    this.directory = requireNonNull(directory, "directory");
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-certs-watch");
              t.setDaemon(true);
              return t;
            });
  }

  /** Reads every user's certificates now, then checks the folder every {@value #POLL_SECONDS} s. */
  void start() {
    int users = reload();
    LOG.info("directory: {} users loaded from {}", users, certs.usersDir());
    poller.scheduleWithFixedDelay(this::reload, POLL_SECONDS, POLL_SECONDS, TimeUnit.SECONDS);
  }

  /** Reads what is new or changed in the certs folder now; returns how many users it holds. */
  synchronized int reload() {
    List<String> names;
    try {
      names = certs.userNames();
    } catch (IOException | RuntimeException e) {
      LOG.warn("directory: cannot read {}: {}", certs.usersDir(), e.getMessage());
      return 0;
    }
    int users = 0;
    for (String name : names) {
      users++;
      try { // one unreadable user folder does not keep the others from loading
        learn(name, certs.signingCertificate(name), CertificateRole.USER_SIGNING);
        learn(name, certs.encryptionCertificate(name), CertificateRole.USER_ENCRYPTION);
        for (String device : certs.deviceNames(name)) { // users/NAME/device.crt, devices/*/
          learn(name, certs.deviceCertificate(name, device), CertificateRole.DEVICE);
        }
        for (Path earlier : previousSigning(name)) {
          learn(name, earlier, CertificateRole.USER_SIGNING);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("directory: cannot read the certificates of '{}': {}", name, e.getMessage());
      }
    }
    return users;
  }

  private List<Path> previousSigning(String name) throws IOException {
    Path dir = certs.userDir(IdentityName.validate(name)).resolve("previous");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> kept = Files.list(dir)) {
      kept.map(d -> d.resolve("signing.crt")).filter(Files::isRegularFile).forEach(out::add);
    }
    return out;
  }

  private void learn(String name, Path file, CertificateRole role) {
    try {
      if (!Files.isRegularFile(file)) {
        return;
      }
      FileTime modified = Files.getLastModifiedTime(file);
      String stamp = modified.toMillis() + "/" + Files.size(file);
      if (stamp.equals(seen.get(file))) {
        return;
      }
      seen.put(file, stamp);
      directory.learn(name, PemFiles.readCertificate(file), role);
    } catch (IOException | CertificateRejectedException | RuntimeException e) {
      LOG.warn("directory: skipping {} for user '{}': {}", file, name, e.getMessage());
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
