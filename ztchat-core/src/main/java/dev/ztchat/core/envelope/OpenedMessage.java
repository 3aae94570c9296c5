package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.session.LedgerNotice;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A message that passed every receiver check of its version (version 1: docs/PROTOCOL.md, section
 * 7; version 2: docs/v2/messages.md, section 6): its sender signed it with a certificate our root
 * CA issued for that name, it was addressed to me, it is fresh, it was not seen before, and it
 * decrypted and parsed. Only the openers make these.
 *
 * <p>A version-2 message also carries what its conversation ledger noticed when it arrived ({@link
 * #notices()}: messages missing, lost, out of order; docs/v2/conversation-ledger.md); a version-1
 * message has none.
 *
 * <p>A version-2 group change also carries what a device needs to forward it to a device that joins
 * late (docs/v2/groups.md section 6.6): the sender device's certificate and the envelope's content
 * key ({@link #changeRecord()}).
 *
 * <p>Warning: {@link #toString()} never shows the text or the key; do not log {@link #text()}.
 */
public final class OpenedMessage {
  private final RoutingPrefix prefix;
  private final MessageContent content;
  private final List<LedgerNotice> notices;
  private final ChangeRecord changeRecord;

  OpenedMessage(EnvelopeHeader header, MessageContent content) {
    this(header.routingPrefix(), content, List.of(), null);
  }

  private OpenedMessage(
      RoutingPrefix prefix,
      MessageContent content,
      List<LedgerNotice> notices,
      ChangeRecord changeRecord) {
    this.prefix = requireNonNull(prefix, "prefix");
    this.content = requireNonNull(content, "content");
    this.notices = List.copyOf(notices);
    this.changeRecord = changeRecord;
  }

  /**
   * What forwarding a version-2 group change needs besides its envelope: the certificate (DER) of
   * the device that signed it and the envelope's content key. Warning: {@code contentKey} is key
   * material; it opens that one envelope's content only.
   */
  public record ChangeRecord(byte[] certificate, byte[] contentKey) {
    public ChangeRecord {
      certificate = certificate.clone();
      contentKey = contentKey.clone();
    }

    @Override
    public byte[] certificate() {
      return certificate.clone();
    }

    @Override
    public byte[] contentKey() {
      return contentKey.clone();
    }

    @Override
    public String toString() {
      return "ChangeRecord[" + certificate.length + " certificate bytes]";
    }
  }

  /**
   * A version-2 message; for the version-2 opener (dev.ztchat.core.conversation), which calls it
   * only once every check of docs/v2/messages.md section 6 passed.
   */
  public static OpenedMessage ofVersion2(
      RoutingPrefix prefix, MessageContent content, List<LedgerNotice> notices) {
    return ofVersion2(prefix, content, notices, null, null);
  }

  /**
   * As {@link #ofVersion2(RoutingPrefix, MessageContent, List)}, keeping for a group change the
   * sender device's certificate {@code senderCertificate} and the envelope's {@code contentKey}
   * (copied; both ignored for any other content).
   */
  public static OpenedMessage ofVersion2(
      RoutingPrefix prefix,
      MessageContent content,
      List<LedgerNotice> notices,
      byte[] senderCertificate,
      byte[] contentKey) {
    if (prefix.version() != V2Envelope.VERSION) {
      throw new IllegalArgumentException("not a version-2 prefix: " + prefix);
    }
    ChangeRecord record =
        content.kind() == ContentKind.GROUP_CHANGE
                && senderCertificate != null
                && contentKey != null
            ? new ChangeRecord(senderCertificate, contentKey)
            : null;
    return new OpenedMessage(prefix, content, notices, record);
  }

  /**
   * For a version-2 group change, what forwarding it needs besides its envelope; empty otherwise.
   */
  public Optional<ChangeRecord> changeRecord() {
    return Optional.ofNullable(changeRecord);
  }

  /** The envelope version the message came in (1 or 2). */
  public int version() {
    return prefix.version();
  }

  /** The authenticated routing prefix the message arrived with (any version). */
  public RoutingPrefix prefix() {
    return prefix;
  }

  /** The authenticated sender's name. */
  public String sender() {
    return prefix.sender();
  }

  /** Everyone the sender addressed the message to (including me). */
  public List<String> recipients() {
    return prefix.recipients();
  }

  /** When the sender says it sent the message (checked against the acceptance window). */
  public Instant timestamp() {
    return Instant.ofEpochMilli(prefix.timestampMillis());
  }

  /** The sender's 16-byte message id. */
  public byte[] messageId() {
    return prefix.messageId();
  }

  /** The message id as 32 lower-case hex digits. */
  public String messageIdHex() {
    return prefix.messageIdHex();
  }

  /**
   * The authenticated version-1 header the message arrived with.
   *
   * @throws IllegalStateException for a version-2 message, which has no such header: use {@link
   *     #prefix()}
   */
  public EnvelopeHeader header() {
    if (prefix.version() != EnvelopeHeader.VERSION) {
      throw new IllegalStateException("a version-2 message has no version-1 header; use prefix()");
    }
    return new EnvelopeHeader(
        prefix.version(),
        prefix.sender(),
        prefix.recipients(),
        prefix.timestampMillis(),
        prefix.messageId());
  }

  /**
   * What the conversation ledger noticed when this message arrived, most serious first (empty for
   * version 1, and when all is in order).
   */
  public List<LedgerNotice> notices() {
    return notices;
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
    return "OpenedMessage[" + prefix + ", " + content + ", " + notices.size() + " notices]";
  }
}
