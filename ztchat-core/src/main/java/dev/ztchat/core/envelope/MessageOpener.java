package dev.ztchat.core.envelope;

/**
 * Opens encoded envelopes of one version for one identity (docs/v2/envelope.md section 6). A client
 * holds a {@link MessageOpeners} registry of these, never one implementation; the version byte
 * selects the opener, as in Tink's {@code HybridDecryptWrapper}.
 *
 * <p>Security guarantees: those of the version's opener. {@link #prefixOf} returns the routing
 * prefix unauthenticated (for acknowledging and for telling the user who claims to have sent what
 * could not be opened); {@link #open} returns a message only when every check of its version
 * passed.
 */
public interface MessageOpener {
  /** The envelope version this opener reads. */
  int version();

  /**
   * The routing prefix at the start of {@code envelope}, unauthenticated; only the prefix is read
   * here ({@link #open} decodes the rest, strictly).
   */
  RoutingPrefix prefixOf(byte[] envelope) throws MalformedEnvelopeException;

  /**
   * Opens {@code envelope}, or throws naming the first check that failed. Each envelope opens at
   * most once.
   */
  OpenedMessage open(byte[] envelope) throws MalformedEnvelopeException, EnvelopeRejectedException;
}
