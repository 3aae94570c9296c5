package dev.ztchat.client;

import dev.ztchat.core.conversation.V2Body;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.V2Envelope;

/**
 * Recognises a version-2 envelope refused as not for this device that was sealed to other devices
 * of my person (docs/v2/devices.md section 6.1, receipts): its prefix names me and its entries are
 * for my name, none for this device. A contact's receipt is sealed to the devices of mine that
 * contact knows and sent without a devices list, so the relay stores a copy for every current
 * device of mine (section 4.1): a device of mine the contact has not learnt yet, and has no session
 * with, gets such a copy, which it can neither open nor check. Nothing in it is for this device,
 * and nothing is wrong with this device's conversations: it is set aside without telling the user,
 * as a copy for my other devices whose signature it can check is. An envelope that does not name
 * me, or names me without an entry for my name, is still refused as not for me.
 */
final class OtherDeviceCopies {
  private OtherDeviceCopies() {}

  /** Whether {@code envelope} names {@code me} and holds entries for my name only elsewhere. */
  static boolean sealedToMyOtherDevices(byte[] envelope, String me) {
    try {
      V2Envelope decoded = V2Envelope.decode(envelope);
      if (!decoded.prefix().recipients().contains(me)) {
        return false;
      }
      return V2Body.decode(decoded.body(), decoded.prefix()).entries().stream()
          .anyMatch(e -> e.recipient().equals(me));
    } catch (MalformedEnvelopeException | RuntimeException e) {
      return false; // not a version-2 envelope, or not a well-formed one: refused as before
    }
  }
}
