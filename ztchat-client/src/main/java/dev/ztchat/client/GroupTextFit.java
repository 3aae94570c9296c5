package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.V2Body;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.session.PrekeyBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * The most UTF-8 bytes of text a group message can hold (docs/v2/groups.md sections 7.1 and 11), so
 * the composer shows it and a longer text is refused before it is kept.
 *
 * <p>A group message that does not fit one envelope goes out in parts, all devices of one person in
 * one part; so the text is bounded by the envelope to the single person with the most devices (and
 * the longest name), not by the group's size. The figure holds whatever state each session is in:
 * every device's entry is counted at its largest on an established session (a ratchet step that
 * carries post-quantum keys, with the most lost ranges: a ratchet message of {@value
 * #LARGEST_RATCHET_MESSAGE} bytes), or, if larger, one entry starting a new session with my device
 * certificate in the body (docs/v2/messages.md section 8). A text within it is never refused for
 * its size when sealed; one slightly longer may fit when the sessions are in a smaller state, but
 * is refused here, as a composer's limit must not depend on state the user cannot see.
 *
 * <p>Thread-safe.
 */
final class GroupTextFit {
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
  private static final GroupId ANY_GROUP = GroupId.of(new byte[16]);

  /** How many devices of a person messages are sealed to (0 when none is known yet). */
  @FunctionalInterface
  interface DeviceCount {
    int of(String person) throws IOException;
  }

  private final String me;
  private final IntSupplier maxFrame;
  private volatile int lastFrame = ProtocolLimits.DEFAULT_MAX_FRAME;
  private final DeviceCount devices;
  private final int certificateBytes;

  /**
   * For {@code me}, whose device certificate is {@code myDevice} (null when there is none: the
   * largest allowed is assumed), with the frame limit the relay announced on the current connection
   * ({@code maxFrame}, 0 while offline: the last one announced counts then, or the protocol's
   * default before any) and the device counts (a count of mine may include this device: the figure
   * then errs on the short side).
   */
  GroupTextFit(String me, IntSupplier maxFrame, DeviceCount devices, X509Certificate myDevice) {
    this.me = requireNonNull(me, "me");
    this.maxFrame = requireNonNull(maxFrame, "maxFrame");
    this.devices = requireNonNull(devices, "devices");
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

  /** The most UTF-8 bytes of text a message to the group of {@code members} can hold now. */
  int maxTextBytes(List<String> members) throws IOException {
    return maxTextBytes(frame(), members);
  }

  /** Refuses {@code text} for the group of {@code members} when it is longer than that. */
  void check(List<String> members, String text) throws IOException, MessageTooLongException {
    int frame = frame();
    int max = maxTextBytes(frame, members);
    int textBytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (textBytes > max) {
      throw new MessageTooLongException(textBytes, max, frame);
    }
  }

  /** A text kept offline is sealed for the relay it was typed for: its limit stays. */
  private int frame() {
    int now = maxFrame.getAsInt();
    if (now > 0) {
      lastFrame = now;
    }
    return lastFrame;
  }

  private int maxTextBytes(int frame, List<String> members) throws IOException {
    int room = ProtocolLimits.maxEnvelopeBytes(frame);
    int largest = 0;
    for (String m : members) {
      int n = devices.of(m);
      if (m.equals(me) && n == 0) {
        continue; // no other device of mine: no part of my own
      }
      largest = Math.max(largest, envelopeWithoutText(m, Math.max(1, n)));
    }
    return Math.clamp((long) room - largest, 0, MessageContent.MAX_BODY_BYTES);
  }

  /**
   * The bytes of an envelope of an empty group text from me to {@code n} devices of {@code person},
   * each entry at its largest; encoded with the real codecs.
   */
  int envelopeWithoutText(String person, int n) {
    RoutingPrefix prefix =
        new RoutingPrefix(V2Envelope.VERSION, me, List.of(person), 0, new byte[16]);
    List<V2Body.Entry> entries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] device = new byte[DEVICE_ID_BYTES];
      device[0] = (byte) i;
      device[1] = (byte) (i >> 8);
      entries.add(
          new V2Body.Entry(
              person,
              device,
              new byte[SESSION_ID_BYTES],
              Optional.empty(),
              new byte[LARGEST_RATCHET_MESSAGE]));
    }
    byte[] content = MessageContent.groupText(ANY_GROUP, 1, "").asGroupTextPart().encode();
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
