package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.protocol.ProtocolLimits;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.function.IntSupplier;

/**
 * The most UTF-8 bytes of text a group message can hold (docs/v2/groups.md sections 7.1 and 11), so
 * the composer shows it and a longer text is refused before it is kept.
 *
 * <p>A group message that does not fit one envelope goes out in parts, all devices of one person in
 * one part; so the text is bounded by the envelope to the single person with the most devices (and
 * the longest name), not by the group's size. Each such envelope is sized by {@link V2TextFit},
 * every entry at its largest, so a text within the figure is never refused for its size when
 * sealed.
 *
 * <p>Thread-safe.
 */
final class GroupTextFit {
  private static final MessageContent EMPTY_PART =
      MessageContent.groupText(GroupId.of(new byte[16]), 1, "").asGroupTextPart();

  /** How many devices of a person messages are sealed to (0 when none is known yet). */
  @FunctionalInterface
  interface DeviceCount {
    int of(String person) throws IOException;
  }

  private final String me;
  private final V2TextFit fit;
  private final DeviceCount devices;

  /**
   * For {@code me}, whose device certificate is {@code myDevice} (null when there is none: the
   * largest allowed is assumed), with the frame limit the relay announced on the current connection
   * ({@code maxFrame}, 0 while offline: see {@link V2TextFit#frame}) and the device counts (a count
   * of mine may include this device: the figure then errs on the short side).
   */
  GroupTextFit(String me, IntSupplier maxFrame, DeviceCount devices, X509Certificate myDevice) {
    this.me = requireNonNull(me, "me");
    this.fit = new V2TextFit(me, maxFrame, myDevice);
    this.devices = requireNonNull(devices, "devices");
  }

  /** The most UTF-8 bytes of text a message to the group of {@code members} can hold now. */
  int maxTextBytes(List<String> members) throws IOException {
    return maxTextBytes(fit.frame(), members);
  }

  /** Refuses {@code text} for the group of {@code members} when it is longer than that. */
  void check(List<String> members, String text) throws IOException, MessageTooLongException {
    int frame = fit.frame();
    V2TextFit.check(text, maxTextBytes(frame, members), frame);
  }

  private int maxTextBytes(int frame, List<String> members) throws IOException {
    // no part at all (a group of me alone): the envelope's room, as for an empty envelope
    int max = Math.min(ProtocolLimits.maxEnvelopeBytes(frame), MessageContent.MAX_BODY_BYTES);
    for (String m : members) {
      int n = devices.of(m);
      if (m.equals(me) && n == 0) {
        continue; // no other device of mine: no part of my own
      }
      SequencedMap<String, Integer> part = new LinkedHashMap<>();
      part.put(m, Math.max(1, n));
      max = Math.min(max, fit.maxTextBytes(frame, EMPTY_PART, part));
    }
    return max;
  }
}
