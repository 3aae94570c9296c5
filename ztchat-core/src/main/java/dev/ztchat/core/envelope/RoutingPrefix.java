package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.IdentityName;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What the relay reads of an envelope of any version: its version, who sent it, to whom, when, and
 * its unique id. Routing, the spoof check, quotas, expiry and acknowledgements need exactly this
 * and nothing else (docs/v2/envelope.md, section 2). For version 1 it is the envelope header
 * (docs/PROTOCOL.md section 5); every version starts with the same bytes.
 *
 * <p>It is metadata, not secret, and holding one says nothing about its authenticity: only the
 * opener of its version checks the signature over it.
 */
public record RoutingPrefix(
    int version, String sender, List<String> recipients, long timestampMillis, byte[] messageId) {
  /**
   * Most recipients a prefix of version 2 or later may name (docs/v2/envelope.md section 2.1): a
   * group of 64 members is the sender and 63 others, with room to spare. Version 1 keeps {@link
   * EnvelopeHeader#MAX_RECIPIENTS}.
   */
  public static final int MAX_RECIPIENTS_V2 = 64;

  public RoutingPrefix {
    requireNonNull(sender, "sender");
    requireNonNull(messageId, "messageId");
    recipients = List.copyOf(recipients);
    if (version < 1 || version > 0xff) {
      throw new IllegalArgumentException("unsupported envelope version " + version);
    }
    // EnvelopeHeader (version 1) is checked here too, so the relay's answers are one for all
    // versions.
    IdentityName.validate(sender);
    int max = maxRecipients(version);
    if (recipients.isEmpty() || recipients.size() > max) {
      throw new IllegalArgumentException(
          "an envelope of version "
              + version
              + " names 1 to "
              + max
              + " recipients, not "
              + recipients.size());
    }
    recipients.forEach(IdentityName::validate);
    if (recipients.stream().distinct().count() != recipients.size()) {
      throw new IllegalArgumentException("an envelope names a recipient twice");
    }
    if (messageId.length != EnvelopeHeader.MESSAGE_ID_BYTES) {
      throw new IllegalArgumentException(
          "message id must be " + EnvelopeHeader.MESSAGE_ID_BYTES + " bytes");
    }
    messageId = messageId.clone();
  }

  /** Most recipients an envelope of {@code version} may name: 32 for version 1, else 64. */
  public static int maxRecipients(int version) {
    return version == EnvelopeHeader.VERSION ? EnvelopeHeader.MAX_RECIPIENTS : MAX_RECIPIENTS_V2;
  }

  @Override
  public byte[] messageId() {
    return messageId.clone();
  }

  /** The message id as 32 lower-case hex digits. */
  public String messageIdHex() {
    return HexFormat.of().formatHex(messageId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoutingPrefix p
        && version == p.version
        && sender.equals(p.sender)
        && recipients.equals(p.recipients)
        && timestampMillis == p.timestampMillis
        && Arrays.equals(messageId, p.messageId);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(messageId) * 31 + sender.hashCode();
  }

  @Override
  public String toString() {
    return "RoutingPrefix[v"
        + version
        + " "
        + sender
        + "->"
        + recipients
        + " t="
        + timestampMillis
        + " id="
        + messageIdHex()
        + "]";
  }
}
