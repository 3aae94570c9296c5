package dev.ztchat.server;

import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.server.store.EnvelopeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the relay accepts in an {@code ack} and an {@code acks} (docs/PROTOCOL.md sections 4.2 and
 * 9): a valid sender name and a message id of 32 lower-case hex digits for each envelope named, and
 * for a batch 1 to {@link #MAX_BATCH} envelopes, none named twice. A batch that breaks any rule is
 * refused whole: nothing in it is acknowledged.
 */
final class AckRules {
  /**
   * Most envelopes one {@code acks} names, announced in {@code welcome} as {@code maxAcks}: the
   * delivery window, since a connection never has more unacknowledged envelopes than that.
   */
  static final int MAX_BATCH = DeliveryPump.WINDOW;

  /** An acknowledged envelope's {@code messageId}: compiled once, not for every acknowledgement. */
  private static final Pattern MESSAGE_ID = Pattern.compile("[0-9a-f]{32}");

  static final String BAD_NAME = "needs a valid 'sender' and a 32-hex-digit 'messageId'";

  private AckRules() {}

  /** Whether one envelope's name is well formed. */
  static boolean valid(String sender, String messageId) {
    return IdentityName.isValid(sender) && MESSAGE_ID.matcher(messageId).matches();
  }

  /** Why the relay refuses {@code acks}, or null when it takes it. */
  static String refusal(Frame.Acks acks) {
    List<Frame.AckedEnvelope> named = acks.envelopes();
    if (named.isEmpty() || named.size() > MAX_BATCH) {
      return "acks names 1 to "
          + MAX_BATCH
          + " envelopes, not "
          + named.size()
          + "; nothing was acknowledged";
    }
    Set<Frame.AckedEnvelope> seen = new HashSet<>();
    for (int i = 0; i < named.size(); i++) {
      Frame.AckedEnvelope e = named.get(i);
      if (!valid(e.sender(), e.messageId())) {
        return "envelope " + (i + 1) + " of the acks " + BAD_NAME + "; nothing was acknowledged";
      }
      if (!seen.add(e)) {
        return "envelope "
            + (i + 1)
            + " of the acks names an envelope named before it; nothing was acknowledged";
      }
    }
    return null;
  }

  /** The envelopes {@code acks} names, in its order. */
  static List<EnvelopeId> envelopes(Frame.Acks acks) {
    List<EnvelopeId> out = new ArrayList<>(acks.envelopes().size());
    for (Frame.AckedEnvelope e : acks.envelopes()) {
      out.add(new EnvelopeId(e.sender(), e.messageId()));
    }
    return out;
  }
}
