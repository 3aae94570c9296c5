package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

/**
 * What every connection's handlers share: configuration, directory, registry, deliveries, security
 * log, prekeys.
 */
record RelayContext(
    RelayServerConfig config,
    Directory directory,
    ConnectionRegistry connections,
    DeliveryService deliveries,
    RevocationWatcher revocations,
    SecurityLog security,
    PrekeyService prekeys) {
  RelayContext {
    requireNonNull(config, "config");
    requireNonNull(directory, "directory");
    requireNonNull(connections, "connections");
    requireNonNull(deliveries, "deliveries");
    requireNonNull(revocations, "revocations");
    requireNonNull(security, "security");
    requireNonNull(prekeys, "prekeys");
  }
}
