package dev.ztchat.server;

import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.store.OfflineQueue;
import dev.ztchat.server.store.SqlitePrekeyStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * A relay's shared parts built as the relay builds them (real directory, registry, SQLite store,
 * security log), without a socket: for testing one pipeline stage in an {@code EmbeddedChannel}.
 * The revocation watcher is built but never started.
 */
final class RelayContextFixture implements AutoCloseable {
  final RelayContext relay;

  RelayContextFixture(
      TestPki pki, Path dir, Clock clock, UnaryOperator<RelayServerConfig> configure)
      throws IOException {
    var certs = pki.writeTo(dir.resolve("certs"));
    RelayServerConfig config =
        configure.apply(RelayServerConfig.defaults(certs, dir.resolve("data")));
    CertificateVerifier verifier = new CertificateVerifier(pki.ca().certificate());
    RevocationWatcher revocations =
        new RevocationWatcher(certs.crl(), pki.ca().certificate(), clock, crl -> {});
    Directory directory = new Directory(verifier, clock, revocations::revokedAt);
    SecurityLog security = new SecurityLog();
    relay =
        new RelayContext(
            config,
            directory,
            new ConnectionRegistry(),
            new DeliveryService(OfflineQueue.open(config.queue(), clock)),
            revocations,
            security,
            new PrekeyService(
                SqlitePrekeyStore.open(
                    config.queue().dataDir(), SqlitePrekeyStore.DEFAULT_MAX_ONE_TIME, clock),
                verifier,
                revocations::revokedAt,
                directory::knows,
                PrekeyDrainLimiter.withDefaults(clock),
                security,
                clock));
  }

  @Override
  public void close() {
    relay.deliveries().close();
    relay.revocations().close();
    relay.prekeys().close();
  }
}
