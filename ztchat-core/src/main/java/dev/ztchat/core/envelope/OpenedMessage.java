package dev.ztchat.core.envelope;

import java.time.Instant;
import java.util.List;

/**
 * A message that passed every receiver check (docs/PROTOCOL.md, section 7): its sender signed it
 * with a certificate our root CA issued for that name, it was addressed to me, it is fresh, it was
 * not seen before, and it decrypted and parsed. Only {@link EnvelopeOpener} makes these.
 *
 * <p>Warning: {@link #toString()} never shows the text; do not log {@link #text()}.
 */
public final class OpenedMessage {
  private final EnvelopeHeader header;
  private final MessageContent content;

  OpenedMessage(EnvelopeHeader header, MessageContent content) {
    this.header = header;
    this.content = content;
  }

  /** The authenticated sender's name. */
  public String sender() {
    return header.sender();
  }

  /** Everyone the sender addressed the message to (including me). */
  public List<String> recipients() {
    return header.recipients();
  }

  /** When the sender says it sent the message (checked against the acceptance window). */
  public Instant timestamp() {
    return Instant.ofEpochMilli(header.timestampMillis());
  }

  /** The sender's 16-byte message id. */
  public byte[] messageId() {
    return header.messageId();
  }

  /** The message id as 32 lower-case hex digits. */
  public String messageIdHex() {
    return header.messageIdHex();
  }

  /** The authenticated header the message arrived with. */
  public EnvelopeHeader header() {
    return header;
  }

  public MessageContent content() {
    return content;
  }

  public ContentKind kind() {
    return content.kind();
  }

  /** The text of a {@link ContentKind#TEXT} message. */
  public String text() {
    return content.text();
  }

  /** The id of the message a {@link ContentKind#RECEIPT} acknowledges. */
  public byte[] receiptFor() {
    return content.receiptFor();
  }

  @Override
  public String toString() {
    return "OpenedMessage[" + header + ", " + content + "]";
  }
}
