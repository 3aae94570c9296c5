package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A client's openers by envelope version (docs/v2/envelope.md section 6): the envelope's first byte
 * selects the opener, as in Tink's {@code HybridDecryptWrapper}. A version with no opener here but
 * known to {@link EnvelopeFormats} is {@link UnopenableVersionException} (keep it); any other
 * unknown version is malformed.
 *
 * <p>The downgrade rule (docs/v2/messages.md section 7) is applied here, where versions are
 * dispatched: a version-1 envelope whose claimed sender {@link PeerVersions} knows to speak version
 * 2 is refused with {@link RejectionReason#DOWNGRADE} before any other check.
 */
public final class MessageOpeners {
  private final Map<Integer, MessageOpener> byVersion;
  private final PeerVersions peerVersions;

  private MessageOpeners(Map<Integer, MessageOpener> byVersion, PeerVersions peerVersions) {
    this.byVersion = byVersion;
    this.peerVersions = requireNonNull(peerVersions, "peerVersions");
  }

  /**
   * A registry of {@code openers}, one per version, that knows no peer's version ({@link
   * PeerVersions#NONE}: version 1 is accepted from everyone).
   */
  public static MessageOpeners of(List<MessageOpener> openers) {
    return of(openers, PeerVersions.NONE);
  }

  /**
   * A registry of {@code openers}, one per version, refusing version 1 from the peers that {@code
   * peerVersions} knows to speak version 2.
   */
  public static MessageOpeners of(List<MessageOpener> openers, PeerVersions peerVersions) {
    return new MessageOpeners(
        openers.stream()
            .collect(Collectors.toUnmodifiableMap(MessageOpener::version, Function.identity())),
        peerVersions);
  }

  /** The versions this registry opens, ascending. */
  public List<Integer> versions() {
    return byVersion.keySet().stream().sorted().toList();
  }

  /**
   * The routing prefix of {@code envelope}, decoded by the opener of its version, unauthenticated.
   *
   * @throws UnopenableVersionException when it is a well-formed envelope of a version with no
   *     opener here
   */
  public RoutingPrefix prefixOf(byte[] envelope)
      throws MalformedEnvelopeException, UnopenableVersionException {
    return openerOf(envelope).prefixOf(envelope);
  }

  /**
   * Opens {@code envelope} with the opener of its version, after the downgrade rule.
   *
   * @throws EnvelopeRejectedException ({@link RejectionReason#DOWNGRADE}) for a version-1 envelope
   *     from a peer known to speak version 2, or the reason the version's opener gives
   * @throws UncheckedIOException when the peer versions cannot be read (fail closed: nothing was
   *     opened)
   */
  public OpenedMessage open(byte[] envelope)
      throws MalformedEnvelopeException, EnvelopeRejectedException, UnopenableVersionException {
    MessageOpener opener = openerOf(envelope);
    if (opener.version() < V2Envelope.VERSION) {
      RoutingPrefix prefix = opener.prefixOf(envelope);
      int lowest;
      try {
        lowest = peerVersions.lowestVersion(prefix.sender());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read what versions " + prefix.sender() + " uses", e);
      }
      if (lowest > opener.version()) {
        throw new EnvelopeRejectedException(
            RejectionReason.DOWNGRADE, prefix, "it proved version " + lowest);
      }
    }
    return opener.open(envelope);
  }

  private MessageOpener openerOf(byte[] envelope)
      throws MalformedEnvelopeException, UnopenableVersionException {
    EnvelopeFormat format = EnvelopeFormats.formatOf(envelope);
    MessageOpener opener = byVersion.get(format.version());
    if (opener == null) {
      throw new UnopenableVersionException(format.decodeRoutable(envelope));
    }
    return opener;
  }
}
