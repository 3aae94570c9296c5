package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.MalformedGroupException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a message says, before sealing and after opening. Encoded as the envelope's plaintext: one
 * byte {@link ContentKind} code followed by the body (docs/PROTOCOL.md, section 6.1). The group
 * kinds ({@link ContentKind#GROUP_TEXT}, {@link ContentKind#GROUP_CHANGE}, {@link
 * ContentKind#FORWARDED_GROUP_CHANGE}) are for version 2 only (docs/v2/groups.md section 3).
 *
 * <p>Text is strict UTF-8 in both directions: a string holding a lone surrogate cannot be sealed,
 * and a body that is not well-formed UTF-8 is not opened.
 *
 * <p>Warning: {@link #toString()} never shows the text; do not log {@link #text()}.
 */
public final class MessageContent {
  /** Largest body, in bytes (the UTF-8 encoding of a text). */
  public static final int MAX_BODY_BYTES = 65_536;

  /**
   * Largest body of a {@link ContentKind#FORWARDED_GROUP_CHANGE}: a record's format byte, lengths,
   * certificate (at most 2048 bytes), envelope (at most 1 MiB) and 32-byte key (docs/v2/groups.md
   * section 6.6). The relay's frame limit bounds it much lower in practice.
   */
  public static final int MAX_FORWARDED_BYTES = 1 + 2 + 2048 + 4 + (1 << 20) + 32;

  /** Bytes before a group text's text: the 16-byte group id and the u32 state version. */
  static final int GROUP_TEXT_HEADER_BYTES = GroupId.BYTES + 4;

  /**
   * The top bit of a group text's u32 state version field: set in every part of a group message
   * split across envelopes (docs/v2/groups.md section 7.1).
   */
  private static final int PART_FLAG = 0x8000_0000;

  private final ContentKind kind;
  private final String text;
  private final byte[] receiptFor;
  private final GroupId groupId;
  private final int groupStateVersion;
  private final GroupChange groupChange;
  private final boolean groupTextPart;
  private final byte[] forwarded;

  private MessageContent(ContentKind kind, String text) {
    this(kind, text, null, null, 0, null);
  }

  private MessageContent(byte[] receiptFor) {
    this(ContentKind.RECEIPT, "", receiptFor.clone(), null, 0, null);
  }

  private MessageContent(
      ContentKind kind,
      String text,
      byte[] receiptFor,
      GroupId groupId,
      int groupStateVersion,
      GroupChange groupChange) {
    this(kind, text, receiptFor, groupId, groupStateVersion, groupChange, false);
  }

  private MessageContent(
      ContentKind kind,
      String text,
      byte[] receiptFor,
      GroupId groupId,
      int groupStateVersion,
      GroupChange groupChange,
      boolean groupTextPart) {
    this(kind, text, receiptFor, groupId, groupStateVersion, groupChange, groupTextPart, null);
  }

  private MessageContent(
      ContentKind kind,
      String text,
      byte[] receiptFor,
      GroupId groupId,
      int groupStateVersion,
      GroupChange groupChange,
      boolean groupTextPart,
      byte[] forwarded) {
    this.forwarded = forwarded;
    this.kind = kind;
    this.text = text;
    this.receiptFor = receiptFor;
    this.groupId = groupId;
    this.groupStateVersion = groupStateVersion;
    this.groupChange = groupChange;
    this.groupTextPart = groupTextPart;
  }

  /**
   * A text to group {@code groupId}, sealed when the sender's state of the group is at version
   * {@code stateVersion} (at least 1). The text follows the rules of {@link #text(String)}. Version
   * 2 only.
   */
  public static MessageContent groupText(GroupId groupId, int stateVersion, String text) {
    requireNonNull(groupId, "groupId");
    requireNonNull(text, "text");
    if (stateVersion < 1) {
      throw new IllegalArgumentException("a group state version is at least 1");
    }
    byte[] body = utf8(text);
    Arrays.fill(body, (byte) 0);
    return new MessageContent(ContentKind.GROUP_TEXT, text, null, groupId, stateVersion, null);
  }

  /**
   * This group text marked as one part of a group message split across envelopes, each to some of
   * the members (docs/v2/groups.md section 7.1); any other content unchanged (a group change needs
   * no mark: its receivers do not compare member lists).
   */
  public MessageContent asGroupTextPart() {
    return kind != ContentKind.GROUP_TEXT || groupTextPart
        ? this
        : new MessageContent(kind, text, null, groupId, groupStateVersion, null, true);
  }

  /**
   * Whether this group text is one part of a split group message: its envelope names only some of
   * the members.
   */
  public boolean isGroupTextPart() {
    return groupTextPart;
  }

  /** A membership change of a group. Version 2 only. */
  public static MessageContent groupChange(GroupChange change) {
    requireNonNull(change, "change");
    return new MessageContent(
        ContentKind.GROUP_CHANGE, "", null, change.groupId(), change.newState().version(), change);
  }

  /**
   * A forwarded group change (docs/v2/groups.md section 6.6): {@code record} is the encoded {@code
   * ForwardedChange}, which the receiver decodes and verifies. Version 2 only.
   *
   * <p>Warning: the record holds a content key; the caller zeroes its own copy.
   */
  public static MessageContent forwardedChange(byte[] record) {
    requireNonNull(record, "record");
    if (record.length == 0 || record.length > MAX_FORWARDED_BYTES) {
      throw new IllegalArgumentException(
          "a forwarded change of 1 to " + MAX_FORWARDED_BYTES + " bytes, not " + record.length);
    }
    return new MessageContent(
        ContentKind.FORWARDED_GROUP_CHANGE, "", null, null, 0, null, false, record.clone());
  }

  /**
   * The record a {@link ContentKind#FORWARDED_GROUP_CHANGE} carries (a copy: zero it after use).
   */
  public byte[] forwardedChange() {
    if (kind != ContentKind.FORWARDED_GROUP_CHANGE) {
      throw new IllegalStateException("not a forwarded group change");
    }
    return forwarded.clone();
  }

  /** True for the kinds that only version 2 carries (docs/v2/groups.md section 3). */
  public boolean isGroupContent() {
    return kind == ContentKind.GROUP_TEXT
        || kind == ContentKind.GROUP_CHANGE
        || kind == ContentKind.FORWARDED_GROUP_CHANGE;
  }

  /** Whether this is a group text or change: content about one group, whose id it names. */
  private boolean namesGroup() {
    return kind == ContentKind.GROUP_TEXT || kind == ContentKind.GROUP_CHANGE;
  }

  /** The group a {@link ContentKind#GROUP_TEXT} or {@link ContentKind#GROUP_CHANGE} is about. */
  public GroupId groupId() {
    if (!namesGroup()) {
      throw new IllegalStateException("not group content");
    }
    return groupId;
  }

  /**
   * For a group text, the sender's group state version when sealing; for a group change, the
   * version it leads to.
   */
  public int groupStateVersion() {
    if (!namesGroup()) {
      throw new IllegalStateException("not group content");
    }
    return groupStateVersion;
  }

  /** The change a {@link ContentKind#GROUP_CHANGE} carries. */
  public GroupChange groupChange() {
    if (kind != ContentKind.GROUP_CHANGE) {
      throw new IllegalStateException("not a group change");
    }
    return groupChange;
  }

  /** A delivery receipt for the message with id {@code messageId} (16 bytes). */
  public static MessageContent receipt(byte[] messageId) {
    requireNonNull(messageId, "messageId");
    if (messageId.length != EnvelopeHeader.MESSAGE_ID_BYTES) {
      throw new IllegalArgumentException(
          "a receipt names a " + EnvelopeHeader.MESSAGE_ID_BYTES + "-byte message id");
    }
    return new MessageContent(messageId);
  }

  /** The id of the message a {@link ContentKind#RECEIPT} acknowledges. */
  public byte[] receiptFor() {
    if (kind != ContentKind.RECEIPT) {
      throw new IllegalStateException("not a receipt");
    }
    return receiptFor.clone();
  }

  /**
   * A text message. Throws {@link IllegalArgumentException} when the text is not valid Unicode (a
   * lone surrogate) or its UTF-8 encoding is longer than {@link #MAX_BODY_BYTES}.
   */
  public static MessageContent text(String text) {
    requireNonNull(text, "text");
    byte[] body = utf8(text);
    Arrays.fill(body, (byte) 0);
    return new MessageContent(ContentKind.TEXT, text);
  }

  public ContentKind kind() {
    return kind;
  }

  /** The text of a {@link ContentKind#TEXT} or {@link ContentKind#GROUP_TEXT} message. */
  public String text() {
    if (kind != ContentKind.TEXT && kind != ContentKind.GROUP_TEXT) {
      throw new IllegalStateException("not a text message");
    }
    return text;
  }

  /**
   * The plaintext bytes: kind code, then body (docs/PROTOCOL.md section 6.1; version 2 encrypts the
   * same bytes, docs/v2/messages.md). The caller owns the result and should zero it after use: it
   * is the message in clear.
   */
  public byte[] encode() {
    byte[] body =
        switch (kind) {
          case RECEIPT -> receiptFor.clone();
          case GROUP_CHANGE -> groupChange.encode();
          case FORWARDED_GROUP_CHANGE -> forwarded.clone();
          // Every text was encoded strictly (no lone surrogate) when this content was made or
          // decoded, so the JDK's plain encoding gives the same bytes without a checking encoder.
          case TEXT, GROUP_TEXT -> text.getBytes(StandardCharsets.UTF_8);
        };
    int header = kind == ContentKind.GROUP_TEXT ? GROUP_TEXT_HEADER_BYTES : 0;
    byte[] out = new byte[1 + header + body.length];
    out[0] = (byte) kind.code();
    if (header > 0) {
      ByteBuffer.wrap(out, 1, header)
          .put(groupId.bytes())
          .putInt(groupStateVersion | (groupTextPart ? PART_FLAG : 0));
    }
    System.arraycopy(body, 0, out, 1 + header, body.length);
    Arrays.fill(body, (byte) 0);
    return out;
  }

  /**
   * Parses plaintext bytes made by {@link #encode()} strictly: a known kind, a receipt of exactly
   * 16 bytes, a text of well-formed UTF-8 of at most {@link #MAX_BODY_BYTES}, a group text with its
   * 20-byte header and a state version of 1 to 2^31-1, a group change that {@link
   * GroupChange#decode} reads. Call it only on plaintext that authenticated. Which kinds an
   * envelope version may carry is the opener's check ({@link #isGroupContent()}).
   */
  public static MessageContent decode(byte[] plaintext) throws MalformedContentException {
    if (plaintext.length == 0) {
      throw new MalformedContentException("the content is empty (no kind byte)");
    }
    ContentKind kind = ContentKind.fromCode(plaintext[0] & 0xff);
    if (kind == null) {
      throw new MalformedContentException(
          "the content is of kind " + (plaintext[0] & 0xff) + ", which this version does not know");
    }
    int bodyLength = plaintext.length - 1;
    if (kind == ContentKind.RECEIPT) {
      if (bodyLength != EnvelopeHeader.MESSAGE_ID_BYTES) {
        throw new MalformedContentException(
            "a receipt body must be " + EnvelopeHeader.MESSAGE_ID_BYTES + " bytes");
      }
      return new MessageContent(Arrays.copyOfRange(plaintext, 1, plaintext.length));
    }
    if (kind == ContentKind.FORWARDED_GROUP_CHANGE) {
      if (bodyLength == 0 || bodyLength > MAX_FORWARDED_BYTES) {
        throw new MalformedContentException(
            "a forwarded group change is "
                + bodyLength
                + " bytes, not 1 to "
                + MAX_FORWARDED_BYTES);
      }
      byte[] record = Arrays.copyOfRange(plaintext, 1, plaintext.length);
      try {
        return forwardedChange(record);
      } finally {
        Arrays.fill(record, (byte) 0);
      }
    }
    if (kind == ContentKind.GROUP_CHANGE) {
      try {
        GroupChange change = GroupChange.decode(Arrays.copyOfRange(plaintext, 1, plaintext.length));
        return groupChange(change);
      } catch (MalformedGroupException e) {
        throw new MalformedContentException("the group change is malformed: " + e.getMessage());
      }
    }
    int offset = 1;
    GroupId group = null;
    int stateVersion = 0;
    boolean part = false;
    if (kind == ContentKind.GROUP_TEXT) {
      if (bodyLength < GROUP_TEXT_HEADER_BYTES) {
        throw new MalformedContentException(
            "a group text is truncated: its body is "
                + bodyLength
                + " bytes, shorter than the "
                + GROUP_TEXT_HEADER_BYTES
                + "-byte group id and version");
      }
      ByteBuffer header = ByteBuffer.wrap(plaintext, 1, GROUP_TEXT_HEADER_BYTES);
      byte[] id = new byte[GroupId.BYTES];
      header.get(id);
      group = GroupId.of(id);
      stateVersion = header.getInt();
      part = (stateVersion & PART_FLAG) != 0;
      stateVersion &= ~PART_FLAG;
      if (stateVersion < 1) {
        throw new MalformedContentException(
            "a group text's state version is "
                + Integer.toUnsignedString(stateVersion)
                + ", not 1 to "
                + Integer.MAX_VALUE);
      }
      offset += GROUP_TEXT_HEADER_BYTES;
      bodyLength -= GROUP_TEXT_HEADER_BYTES;
    }
    if (bodyLength > MAX_BODY_BYTES) {
      throw new MalformedContentException(
          "the content body is " + bodyLength + " bytes, more than " + MAX_BODY_BYTES);
    }
    String text = StrictUtf8.decode(plaintext, offset, bodyLength);
    if (text == null) {
      throw new MalformedContentException("the text is not valid UTF-8");
    }
    return new MessageContent(kind, text, null, group, stateVersion, null, part);
  }

  @SuppressWarnings("ByteBufferBackingArray") // wipes the whole backing array, not a slice of it
  private static byte[] utf8(String text) {
    ByteBuffer encoded;
    try {
      encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(text));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "the text is not valid Unicode (it holds a lone surrogate) and cannot be sent", e);
    }
    byte[] body = new byte[encoded.remaining()];
    encoded.get(body);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new IllegalArgumentException(
          "the text is "
              + body.length
              + " bytes in UTF-8; a message holds at most "
              + MAX_BODY_BYTES
              + " bytes: split it");
    }
    return body;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageContent c
        && kind == c.kind
        && text.equals(c.text)
        && Arrays.equals(receiptFor, c.receiptFor)
        && Objects.equals(groupId, c.groupId)
        && groupStateVersion == c.groupStateVersion
        && Objects.equals(groupChange, c.groupChange)
        && groupTextPart == c.groupTextPart
        && Arrays.equals(forwarded, c.forwarded);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + text.hashCode();
  }

  @Override
  public String toString() {
    return "MessageContent[" + kind + ", " + text.length() + " chars]";
  }
}
