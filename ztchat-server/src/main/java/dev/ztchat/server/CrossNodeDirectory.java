package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.server.store.AddedSince;
import dev.ztchat.server.store.PublishedCertificates;
import dev.ztchat.server.store.PublishedCertificates.Published;
import dev.ztchat.server.store.RemoteCommitListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link Directory} in step with the other relay nodes on the same store: each
 * certificate a user presents here (a connection's client certificate, a {@code publish} frame) is
 * added to the store's {@link PublishedCertificates}, and each one another node added is read back
 * and learned here, verified against the CA like any other. So alice on node 1 finds the encryption
 * certificate bob published on node 2. The certs folder is not shared this way: every node reads
 * its own copy.
 *
 * <p>All store work runs on one thread of its own, never on an event loop.
 */
final class CrossNodeDirectory implements RemoteCommitListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CrossNodeDirectory.class);

  private final Directory directory;
  private final PublishedCertificates shared;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "ztchat-directory-share");
            t.setDaemon(true);
            return t;
          });

  /**
   * Where the next periodic read of the shared certificates starts; its thread only. The first one
   * reads them all.
   */
  private long cursor = AddedSince.START;

  CrossNodeDirectory(Directory directory, PublishedCertificates shared) {
    this.directory = requireNonNull(directory, "directory");
    this.shared = requireNonNull(shared, "shared");
  }

  /**
   * Starts hearing of other nodes' certificates: all of them are read first, then on each notice
   * the owner's, and after listening again and every 15 s those added since the previous read.
   */
  void start() {
    shared.listenForOtherNodes(this);
  }

  /** A user presented {@code cert} here and the directory took it: the other nodes learn it too. */
  void presented(String owner, X509Certificate cert, CertificateRole role) {
    if (shared.equals(PublishedCertificates.NOT_SHARED)) {
      return;
    }
    thread.execute(
        () -> {
          try {
            shared.add(new Published(owner, role.name(), cert.getEncoded()));
          } catch (IOException | CertificateEncodingException e) {
            LOG.warn("sharing a certificate of {} with the other nodes failed: {}", owner, e);
          }
        });
  }

  @Override
  public void committedFor(String owner) {
    thread.execute(() -> learn("of " + owner, () -> shared.of(owner)));
  }

  @Override
  public void mayHaveMissed() {
    thread.execute(
        () ->
            learn(
                "",
                () -> {
                  AddedSince<Published> added = shared.addedSince(cursor);
                  cursor = added.cursor();
                  return added.rows();
                }));
  }

  @FunctionalInterface
  private interface Reader {
    List<Published> read() throws IOException;
  }

  private void learn(String what, Reader reader) {
    List<Published> found;
    try {
      found = reader.read();
    } catch (IOException e) {
      LOG.warn("reading the certificates published {} on other nodes failed: {}", what, e);
      return;
    }
    for (Published p : found) {
      try {
        X509Certificate cert =
            (X509Certificate)
                CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(p.der()));
        directory.learn(p.owner(), cert, CertificateRole.valueOf(p.role()));
      } catch (CertificateException | CertificateRejectedException | IllegalArgumentException e) {
        // expired since, or never sound: the store is not trusted for certificates
        LOG.debug("a shared certificate of {} was not taken: {}", p.owner(), e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    shared.close();
    thread.shutdownNow();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
