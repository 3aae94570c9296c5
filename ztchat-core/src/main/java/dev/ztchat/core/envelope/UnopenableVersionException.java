package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

/**
 * A well-formed envelope of a version the relay routes but for which this client has no opener
 * (docs/v2/envelope.md section 6). Not a verdict on the message: a client keeps it (does not
 * acknowledge it) and tells its user, so that a client that can open it gets it later.
 */
public final class UnopenableVersionException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient RoutingPrefix prefix;

  public UnopenableVersionException(RoutingPrefix prefix) {
    super("no opener for envelope version " + requireNonNull(prefix, "prefix").version());
    this.prefix = prefix;
  }

  /** The envelope's routing prefix, unauthenticated. */
  public RoutingPrefix prefix() {
    return prefix;
  }
}
