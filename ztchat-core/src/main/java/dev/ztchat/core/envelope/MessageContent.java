package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a message says, before sealing and after opening. Encoded as the envelope's plaintext: one
 * byte {@link ContentKind} code followed by the body (docs/PROTOCOL.md, section 6.1).
 *
 * <p>Text is strict UTF-8 in both directions: a string holding a lone surrogate cannot be sealed,
 * and a body that is not well-formed UTF-8 is not opened.
 *
 * <p>Warning: {@link #toString()} never shows the text; do not log {@link #text()}.
 */
public final class MessageContent {
  /** Largest body, in bytes (the UTF-8 encoding of a text). */
  public static final int MAX_BODY_BYTES = 65_536;

  private final ContentKind kind;
  private final String text;
  private final byte[] receiptFor;

  private MessageContent(ContentKind kind, String text) {
    this.kind = kind;
    this.text = text;
    this.receiptFor = null;
  }

  private MessageContent(byte[] receiptFor) {
    this.kind = ContentKind.RECEIPT;
    this.text = "";
    this.receiptFor = receiptFor.clone();
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

  /** The text of a {@link ContentKind#TEXT} message. */
  public String text() {
    if (kind != ContentKind.TEXT) {
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
    byte[] body = kind == ContentKind.RECEIPT ? receiptFor.clone() : utf8(text);
    byte[] out = new byte[1 + body.length];
    out[0] = (byte) kind.code();
    System.arraycopy(body, 0, out, 1, body.length);
    Arrays.fill(body, (byte) 0);
    return out;
  }

  /**
   * Parses plaintext bytes made by {@link #encode()} strictly: a known kind, a receipt of exactly
   * 16 bytes, a text of well-formed UTF-8 of at most {@link #MAX_BODY_BYTES}. Call it only on
   * plaintext that authenticated.
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
    if (bodyLength > MAX_BODY_BYTES) {
      throw new MalformedContentException(
          "the content body is " + bodyLength + " bytes, more than " + MAX_BODY_BYTES);
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(plaintext, 1, bodyLength))
              .toString();
      return new MessageContent(kind, text);
    } catch (CharacterCodingException e) {
      throw new MalformedContentException("the text is not valid UTF-8");
    }
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
        && Arrays.equals(receiptFor, c.receiptFor);
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
