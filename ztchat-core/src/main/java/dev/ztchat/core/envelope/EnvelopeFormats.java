package dev.ztchat.core.envelope;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The registry of envelope versions the relay routes: dispatches on an envelope's first byte to its
 * {@link EnvelopeFormat} (docs/v2/envelope.md, section 3). An unknown version is refused with a
 * message that names the versions known. This is the only place a version number selects code on
 * the relay's side; everything after it holds a {@link RoutingPrefix}.
 */
public final class EnvelopeFormats {
  private static final Map<Integer, EnvelopeFormat> FORMATS =
      Map.of(
          EnvelopeHeader.VERSION,
          new V1EnvelopeFormat(),
          V2Envelope.VERSION,
          new V2EnvelopeFormat());

  /** The versions known, ascending: what the relay announces in {@code welcome}. */
  public static final List<Integer> VERSIONS = FORMATS.keySet().stream().sorted().toList();

  private EnvelopeFormats() {}

  /**
   * Checks {@code envelope} under the rules of its version and returns its routing prefix; throws
   * {@link MalformedEnvelopeException} for an empty or oversized envelope, an unknown version, or
   * anything its version's format refuses.
   */
  public static RoutingPrefix decodeRoutable(byte[] envelope) throws MalformedEnvelopeException {
    return formatOf(envelope).decodeRoutable(envelope);
  }

  /** The format of {@code envelope}'s version. */
  public static EnvelopeFormat formatOf(byte[] envelope) throws MalformedEnvelopeException {
    int version = EnvelopeCodec.reader(envelope).u8();
    EnvelopeFormat format = FORMATS.get(version);
    if (format == null) {
      throw new MalformedEnvelopeException(
          "unsupported envelope version "
              + version
              + " (known versions: "
              + VERSIONS.stream().map(String::valueOf).collect(Collectors.joining(", "))
              + ")");
    }
    return format;
  }

  /** Version 1 (docs/PROTOCOL.md section 5): all of the relay's checks of that section. */
  private static final class V1EnvelopeFormat implements EnvelopeFormat {
    @Override
    public int version() {
      return EnvelopeHeader.VERSION;
    }

    @Override
    public RoutingPrefix decodeRoutable(byte[] envelope) throws MalformedEnvelopeException {
      return EnvelopeCodec.decodeRoutable(envelope).routingPrefix();
    }
  }

  /** Version 2 (docs/v2/envelope.md section 2): prefix, opaque body, signature. */
  private static final class V2EnvelopeFormat implements EnvelopeFormat {
    @Override
    public int version() {
      return V2Envelope.VERSION;
    }

    @Override
    public RoutingPrefix decodeRoutable(byte[] envelope) throws MalformedEnvelopeException {
      return V2Envelope.decode(envelope).prefix();
    }
  }
}
