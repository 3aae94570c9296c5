package dev.ztchat.core.envelope;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A client's openers by envelope version (docs/v2/envelope.md section 6): the envelope's first byte
 * selects the opener, as in Tink's {@code HybridDecryptWrapper}. A version with no opener here but
 * known to {@link EnvelopeFormats} is {@link UnopenableVersionException} (keep it); any other
 * unknown version is malformed.
 */
public final class MessageOpeners {
  private final Map<Integer, MessageOpener> byVersion;

  private MessageOpeners(Map<Integer, MessageOpener> byVersion) {
    this.byVersion = byVersion;
  }

  /** A registry of {@code openers}, one per version. */
  public static MessageOpeners of(List<MessageOpener> openers) {
    return new MessageOpeners(
        openers.stream()
            .collect(Collectors.toUnmodifiableMap(MessageOpener::version, Function.identity())));
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

  /** Opens {@code envelope} with the opener of its version. */
  public OpenedMessage open(byte[] envelope)
      throws MalformedEnvelopeException, EnvelopeRejectedException, UnopenableVersionException {
    return openerOf(envelope).open(envelope);
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
