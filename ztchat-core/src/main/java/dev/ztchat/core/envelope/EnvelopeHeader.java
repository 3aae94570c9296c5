package dev.ztchat.core.envelope;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The cleartext header of an envelope: who sent it, to whom, when, and its unique id. Its exact
 * encoding ({@link EnvelopeCodec#encodeHeader}) is the AES-GCM associated data, and is signed. See
 * docs/PROTOCOL.md, sections 5 (encoding) and 6 (construction).
 *
 * <p>The relay reads the header to route the envelope; it is metadata, not secret.
 */
public record EnvelopeHeader(
    int version, String sender, List<String> recipients, long timestampMillis, byte[] messageId) {
  /** The only version this code writes and reads. */
  public static final int VERSION = 1;

  /** Length of a message id in bytes. */
  public static final int MESSAGE_ID_BYTES = 16;

  /**
   * Most recipients a version-1 envelope may name (version 2: {@link
   * RoutingPrefix#MAX_RECIPIENTS_V2}).
   */
  public static final int MAX_RECIPIENTS = 32;

  /** Most wrapped keys an envelope may carry (docs/PROTOCOL.md section 5): four per recipient. */
  public static final int MAX_WRAPPED_KEYS = MAX_RECIPIENTS * 4;

  public EnvelopeHeader {
    if (version != VERSION) {
      throw new IllegalArgumentException("unsupported envelope version " + version);
    }
    // The routing prefix is where the header's names, recipients and id are checked.
    RoutingPrefix checked =
        new RoutingPrefix(version, sender, recipients, timestampMillis, messageId);
    recipients = checked.recipients();
    messageId = checked.messageId();
  }

  @Override
  public byte[] messageId() {
    return messageId.clone();
  }

  /** The same fields as the version-independent prefix the relay routes by. */
  public RoutingPrefix routingPrefix() {
    return new RoutingPrefix(version, sender, recipients, timestampMillis, messageId);
  }

  /** The message id as 32 lower-case hex digits. */
  public String messageIdHex() {
    return HexFormat.of().formatHex(messageId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EnvelopeHeader h
        && version == h.version
        && sender.equals(h.sender)
        && recipients.equals(h.recipients)
        && timestampMillis == h.timestampMillis
        && Arrays.equals(messageId, h.messageId);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(messageId) * 31 + sender.hashCode();
  }

  @Override
  public String toString() {
    return "EnvelopeHeader[v"
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
