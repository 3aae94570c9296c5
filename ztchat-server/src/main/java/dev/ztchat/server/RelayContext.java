package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

/** What every connection's handlers share: configuration, directory, registry, security log. */
record RelayContext(
    RelayServerConfig config, Directory directory, ConnectionRegistry connections, SecurityLog security) {
  RelayContext {
    requireNonNull(config, "config");
    requireNonNull(directory, "directory");
    requireNonNull(connections, "connections");
    requireNonNull(security, "security");
  }
}
