package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.V2Body;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.session.PrekeyBundle;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.function.IntSupplier;

/**
 * The most UTF-8 bytes of text one version-2 envelope from me can hold (docs/v2/envelope.md section
 * 4.4), whatever state its sessions are in: the one place that sizes a text for a composer, for
 * direct messages ({@link OutgoingMessages}) and group parts ({@link GroupTextFit}) alike.
 *
 * <p>The envelope is encoded with the real codecs, every device's entry at its largest on an
 * established session (a ratchet step that carries post-quantum keys, with the most lost ranges: a
 * ratchet message of {@value #LARGEST_RATCHET_MESSAGE} bytes), or, if larger, one entry starting a
 * new session with my device certificate in the body (docs/v2/messages.md section 8). A text within
 * the figure is never refused for its size when sealed to those devices; one slightly longer may
 * fit when the sessions are in a smaller state, but is refused, as a composer's limit must not
 * depend on state the user cannot see.
 *
 * <p>Thread-safe.
 */
final class V2TextFit {
  /** The largest ratchet message of an entry (docs/v2/messages.md section 8, {@code msg}). */
  static final int LARGEST_RATCHET_MESSAGE = 2677;

  /**
   * What an entry that starts a session carries beyond the ratchet message: the largest initial
   * message header (1204) and the largest initial ratchet message (405), against the largest
   * ratchet message of an established session (docs/v2/messages.md section 8).
   */
  static final int NEW_SESSION_EXTRA = 1204 + 405 - LARGEST_RATCHET_MESSAGE;

  /** The largest signature (ECDSA P-256, DER) after the body. */
  static final int LARGEST_SIGNATURE = 72;

  private static final int DEVICE_ID_BYTES = 32;
  private static final int SESSION_ID_BYTES = 16;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BYTES = 16;

  private final String me;
  private final IntSupplier maxFrame;
  private volatile int lastFrame = ProtocolLimits.DEFAULT_MAX_FRAME;
  private final int certificateBytes;

  /**
   * For {@code me}, whose device certificate is {@code myDevice} (null when there is none: the
   * largest allowed is assumed), with the frame limit the relay announced on the current connection
   * ({@code maxFrame}, 0 while offline: the last one announced counts then, or the protocol's
   * default before any).
   */
  V2TextFit(String me, IntSupplier maxFrame, X509Certificate myDevice) {
    this.me = requireNonNull(me, "me");
    this.maxFrame = requireNonNull(maxFrame, "maxFrame");
    this.certificateBytes = encodedLength(myDevice);
  }

  private static int encodedLength(X509Certificate certificate) {
    try {
      return certificate == null
          ? PrekeyBundle.MAX_CERTIFICATE_LENGTH
          : certificate.getEncoded().length;
    } catch (CertificateEncodingException e) {
      return PrekeyBundle.MAX_CERTIFICATE_LENGTH;
    }
  }

  /**
   * The frame limit a text is sized for: the one announced now, else the last one announced (a text
   * kept offline is sealed for the relay it was typed for), else the protocol's default.
   */
  int frame() {
    int now = maxFrame.getAsInt();
    if (now > 0) {
      lastFrame = now;
    }
    return lastFrame;
  }

  /**
   * The most text bytes an envelope whose content is {@code emptyContent} (the content of an empty
   * text of that kind) plus the text can hold under {@code frame}, sealed to {@code devices}: how
   * many devices of each person, in the order the prefix names them.
   */
  int maxTextBytes(int frame, MessageContent emptyContent, SequencedMap<String, Integer> devices) {
    long room = ProtocolLimits.maxEnvelopeBytes(frame);
    return Math.clamp(
        room - envelopeWithoutText(emptyContent, devices), 0, MessageContent.MAX_BODY_BYTES);
  }

  /** Refuses {@code text} when it is longer than {@code max} bytes under {@code frame}. */
  static void check(String text, int max, int frame) throws MessageTooLongException {
    int textBytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (textBytes > max) {
      throw new MessageTooLongException(textBytes, max, frame);
    }
  }

  /**
   * The bytes of an envelope of {@code emptyContent} from me to {@code devices}, each entry at its
   * largest and one of them starting a session if that is larger; encoded with the real codecs.
   */
  int envelopeWithoutText(MessageContent emptyContent, SequencedMap<String, Integer> devices) {
    RoutingPrefix prefix =
        new RoutingPrefix(V2Envelope.VERSION, me, List.copyOf(devices.keySet()), 0, new byte[16]);
    List<V2Body.Entry> entries = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, Integer> person : devices.entrySet()) {
      for (int n = 0; n < person.getValue(); n++, i++) {
        byte[] device = new byte[DEVICE_ID_BYTES];
        device[0] = (byte) i;
        device[1] = (byte) (i >> 8);
        entries.add(
            new V2Body.Entry(
                person.getKey(),
                device,
                new byte[SESSION_ID_BYTES],
                Optional.empty(),
                new byte[LARGEST_RATCHET_MESSAGE]));
      }
    }
    byte[] content = emptyContent.encode();
    byte[] body =
        new V2Body(
                new byte[DEVICE_ID_BYTES],
                new byte[0],
                entries,
                new byte[NONCE_BYTES],
                new byte[content.length + TAG_BYTES])
            .encode();
    int signed = V2Envelope.encodePrefix(prefix).length + 4 + body.length;
    // one entry may start a session instead, which brings my certificate into the body
    int newSession = Math.max(0, NEW_SESSION_EXTRA + certificateBytes);
    return signed + newSession + 2 + LARGEST_SIGNATURE;
  }
}
