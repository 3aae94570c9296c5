package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.CipherParameters;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.session.InitialMessageHeader;
import dev.ztchat.core.session.MalformedSessionDataException;
import dev.ztchat.core.session.PrekeyBundle;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The body of a version-2 envelope (docs/v2/messages.md section 3): who sent it (the sender's
 * device id and, when a session starts, its certificate), one entry per recipient device carrying
 * the content key through that device's ratchet, and the content encrypted once under that key.
 *
 * <pre>
 * body  = u8 body_format (=1) | 32B sender_device | u16 cert_len | cert
 *         | u8 n (1..255) | n * entry | 12B nonce | u32 ct_len (&gt;= 16) | ct
 * entry = u8 name_len | name | 32B recipient_device | 16B session_id
 *         | u16 init_len | init | u16 msg_len | msg
 * </pre>
 *
 * <p>Security guarantees: none by itself; decoding is strict (every rule of section 3.2) and says
 * nothing about who made the body until the opener verified the envelope's signature.
 *
 * <p>Immutable: the constructor copies the caller's arrays and the accessors return copies; a
 * decoded body holds the arrays the decoder read, which nobody else can reach.
 */
public final class V2Body {
  /** The only body format this code writes and reads. */
  public static final int FORMAT = 1;

  /**
   * Most entries (recipient devices) in one body: all a u8 count can say, so a group of 64 members
   * fits when its members have about four devices each (docs/v2/messages.md section 3.2).
   */
  public static final int MAX_ENTRIES = 255;

  private static final byte[] EMPTY = new byte[0];

  private final byte[] senderDevice;
  private final byte[] certificate;
  private final List<Entry> entries;
  private final byte[] nonce;
  private final byte[] ciphertext;

  /**
   * One recipient device's part: its name and device id, the session the content key travels on,
   * the session's initial-message header when the entry starts (or restates) the session, and the
   * ratchet message that carries the content key.
   */
  public record Entry(
      String recipient,
      byte[] recipientDevice,
      byte[] sessionId,
      Optional<InitialMessageHeader> initial,
      byte[] ratchetMessage) {
    public Entry {
      IdentityName.validate(recipient);
      requireNonNull(initial, "initial");
      if (recipientDevice.length != StoredSession.DEVICE_ID_BYTES) {
        throw new IllegalArgumentException("a device id is 32 bytes");
      }
      if (sessionId.length != StoredSession.SESSION_ID_BYTES) {
        throw new IllegalArgumentException("a session id is 16 bytes");
      }
      if (ratchetMessage.length == 0 || ratchetMessage.length > 0xffff) {
        throw new IllegalArgumentException("a ratchet message is 1 to 65535 bytes");
      }
      if (initial.isPresent() && initial.get().encode().length > 0xffff) {
        throw new IllegalArgumentException("initial-message header too long");
      }
      recipientDevice = recipientDevice.clone();
      sessionId = sessionId.clone();
      ratchetMessage = ratchetMessage.clone();
    }

    @Override
    public byte[] recipientDevice() {
      return recipientDevice.clone();
    }

    @Override
    public byte[] sessionId() {
      return sessionId.clone();
    }

    @Override
    public byte[] ratchetMessage() {
      return ratchetMessage.clone();
    }

    boolean isFor(String name, byte[] device) {
      return recipient.equals(name) && Arrays.equals(recipientDevice, device);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e
          && recipient.equals(e.recipient)
          && Arrays.equals(recipientDevice, e.recipientDevice)
          && Arrays.equals(sessionId, e.sessionId)
          && initial.equals(e.initial)
          && Arrays.equals(ratchetMessage, e.ratchetMessage);
    }

    @Override
    public int hashCode() {
      return recipient.hashCode() * 31 + Arrays.hashCode(sessionId);
    }

    @Override
    public String toString() {
      return "Entry["
          + recipient
          + " "
          + HexFormat.of().formatHex(recipientDevice, 0, 4)
          + (initial.isPresent() ? " initial" : "")
          + "]";
    }
  }

  /**
   * A body; {@code certificate} is the sender's device certificate (DER) or empty, and MUST be
   * present when an entry is initial.
   */
  public V2Body(
      byte[] senderDevice,
      byte[] certificate,
      List<Entry> entries,
      byte[] nonce,
      byte[] ciphertext) {
    this(senderDevice, certificate, entries, nonce, ciphertext, true);
  }

  /**
   * With {@code copy} false, takes the arrays as they are: for the decoder, which made them and
   * lets go of them.
   */
  private V2Body(
      byte[] senderDevice,
      byte[] certificate,
      List<Entry> entries,
      byte[] nonce,
      byte[] ciphertext,
      boolean copy) {
    if (senderDevice.length != StoredSession.DEVICE_ID_BYTES) {
      throw new IllegalArgumentException("the sender's device id is 32 bytes");
    }
    if (certificate.length > PrekeyBundle.MAX_CERTIFICATE_LENGTH) {
      throw new IllegalArgumentException("the certificate is longer than 2048 bytes");
    }
    this.entries = List.copyOf(entries);
    if (this.entries.isEmpty() || this.entries.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("a body has 1 to " + MAX_ENTRIES + " entries");
    }
    // One entry (a message to one device) has nothing to be a duplicate of.
    Set<String> seen = this.entries.size() == 1 ? null : new HashSet<>();
    for (Entry e : this.entries) {
      if (seen != null
          && !seen.add(e.recipient() + "/" + HexFormat.of().formatHex(e.recipientDevice))) {
        throw new IllegalArgumentException("two entries for one recipient device");
      }
      if (e.initial().isPresent() && certificate.length == 0) {
        throw new IllegalArgumentException("an initial entry needs the sender's certificate");
      }
    }
    if (nonce.length != CipherParameters.GCM_NONCE_BYTES) {
      throw new IllegalArgumentException("the nonce is 12 bytes");
    }
    if (ciphertext.length < CipherParameters.GCM_TAG_BITS / 8) {
      throw new IllegalArgumentException("the ciphertext is shorter than its tag");
    }
    this.senderDevice = copy ? senderDevice.clone() : senderDevice;
    this.certificate = copy ? certificate.clone() : certificate;
    this.nonce = copy ? nonce.clone() : nonce;
    this.ciphertext = copy ? ciphertext.clone() : ciphertext;
  }

  public byte[] senderDevice() {
    return senderDevice.clone();
  }

  /** The sender's device certificate (DER), if the body carries it. */
  public Optional<byte[]> certificate() {
    return certificate.length == 0 ? Optional.empty() : Optional.of(certificate.clone());
  }

  public List<Entry> entries() {
    return entries;
  }

  public byte[] nonce() {
    return nonce.clone();
  }

  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  /** The entry for {@code name}'s device {@code device}, if any. */
  public Optional<Entry> entryFor(String name, byte[] device) {
    return entries.stream().filter(e -> e.isFor(name, device)).findFirst();
  }

  /** The encoding of section 3.1, built in one array of its exact length. */
  public byte[] encode() {
    int n = entries.size();
    byte[][] names = new byte[n][];
    byte[][] inits = new byte[n][];
    int length = 1 + senderDevice.length + 2 + certificate.length + 1;
    for (int i = 0; i < n; i++) {
      Entry e = entries.get(i);
      names[i] = e.recipient().getBytes(StandardCharsets.UTF_8);
      inits[i] = e.initial().map(InitialMessageHeader::encode).orElse(EMPTY);
      length +=
          1
              + names[i].length
              + e.recipientDevice.length
              + e.sessionId.length
              + 2
              + inits[i].length
              + 2
              + e.ratchetMessage.length;
    }
    length += nonce.length + 4 + ciphertext.length;
    ByteBuffer out = ByteBuffer.allocate(length);
    out.put((byte) FORMAT).put(senderDevice);
    out.putShort((short) certificate.length).put(certificate);
    out.put((byte) n);
    for (int i = 0; i < n; i++) {
      Entry e = entries.get(i);
      out.put((byte) names[i].length).put(names[i]);
      out.put(e.recipientDevice).put(e.sessionId);
      out.putShort((short) inits[i].length).put(inits[i]);
      out.putShort((short) e.ratchetMessage.length).put(e.ratchetMessage);
    }
    out.put(nonce).putInt(ciphertext.length).put(ciphertext);
    return out.array();
  }

  /**
   * Parses {@code body}, the body of an envelope whose prefix is {@code prefix}, strictly (section
   * 3.2): an unknown format, truncation, trailing bytes, an entry count of 0 (a u8 cannot exceed
   * 255), a name the prefix does not list, two entries for one device, a malformed initial-message
   * header, an initial entry without a certificate, or a ciphertext shorter than its tag are all
   * {@link MalformedEnvelopeException}.
   */
  public static V2Body decode(byte[] body, RoutingPrefix prefix) throws MalformedEnvelopeException {
    return decode(ByteBuffer.wrap(body), prefix);
  }

  /**
   * As {@link #decode(byte[], RoutingPrefix)}, from {@code body}'s remaining bytes (e.g. {@code
   * V2Envelope.bodyView()}, read without a copy); the body holds copies of what it read.
   */
  public static V2Body decode(ByteBuffer body, RoutingPrefix prefix)
      throws MalformedEnvelopeException {
    requireNonNull(prefix, "prefix");
    ByteBuffer in = body.duplicate();
    try {
      int format = u8(in);
      if (format != FORMAT) {
        throw new MalformedEnvelopeException("unknown version-2 body format " + format);
      }
      byte[] senderDevice = raw(in, StoredSession.DEVICE_ID_BYTES);
      int certLength = u16(in);
      if (certLength > PrekeyBundle.MAX_CERTIFICATE_LENGTH) {
        throw new MalformedEnvelopeException("the certificate is longer than 2048 bytes");
      }
      byte[] certificate = raw(in, certLength);
      int n = u8(in);
      if (n == 0 || n > MAX_ENTRIES) {
        throw new MalformedEnvelopeException(
            "a body has 1 to " + MAX_ENTRIES + " entries, not " + n);
      }
      List<Entry> entries = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        entries.add(readEntry(in, prefix));
      }
      byte[] nonce = raw(in, CipherParameters.GCM_NONCE_BYTES);
      long ctLength = Integer.toUnsignedLong(in.getInt());
      if (ctLength < CipherParameters.GCM_TAG_BITS / 8) {
        throw new MalformedEnvelopeException("the ciphertext is shorter than its tag");
      }
      if (ctLength > in.remaining()) {
        throw new MalformedEnvelopeException("the ciphertext runs past the end of the body");
      }
      byte[] ciphertext = raw(in, (int) ctLength);
      if (in.hasRemaining()) {
        throw new MalformedEnvelopeException(
            in.remaining() + " unexpected bytes after the ciphertext");
      }
      return new V2Body(senderDevice, certificate, entries, nonce, ciphertext, false);
    } catch (java.nio.BufferUnderflowException e) {
      throw new MalformedEnvelopeException("the body is truncated");
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException(e.getMessage());
    }
  }

  private static Entry readEntry(ByteBuffer in, RoutingPrefix prefix)
      throws MalformedEnvelopeException {
    byte[] nameBytes = raw(in, u8(in));
    String name = listedName(prefix, nameBytes);
    if (name == null) {
      try {
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(nameBytes));
      } catch (CharacterCodingException e) {
        throw new MalformedEnvelopeException("an entry's name is not UTF-8");
      }
      throw new MalformedEnvelopeException("an entry names someone the prefix does not");
    }
    byte[] device = raw(in, StoredSession.DEVICE_ID_BYTES);
    byte[] sessionId = raw(in, StoredSession.SESSION_ID_BYTES);
    int initLength = u16(in);
    Optional<InitialMessageHeader> initial = Optional.empty();
    if (initLength > 0) {
      try {
        initial = Optional.of(InitialMessageHeader.decode(raw(in, initLength)));
      } catch (MalformedSessionDataException e) {
        throw new MalformedEnvelopeException("an initial-message header is malformed");
      }
    }
    int msgLength = u16(in);
    if (msgLength == 0) {
      throw new MalformedEnvelopeException("an entry's ratchet message is empty");
    }
    return new Entry(name, device, sessionId, initial, raw(in, msgLength));
  }

  /**
   * The recipient of {@code prefix} whose UTF-8 encoding is {@code nameBytes}, or null. The
   * prefix's names were decoded strictly, and the encoding of a string is unique, so a match is
   * exactly the strict decoding of {@code nameBytes} naming a listed recipient.
   */
  private static String listedName(RoutingPrefix prefix, byte[] nameBytes) {
    for (String r : prefix.recipients()) {
      if (Arrays.equals(r.getBytes(StandardCharsets.UTF_8), nameBytes)) {
        return r;
      }
    }
    return null;
  }

  private static int u8(ByteBuffer in) {
    return in.get() & 0xff;
  }

  private static int u16(ByteBuffer in) {
    return in.getShort() & 0xffff;
  }

  private static byte[] raw(ByteBuffer in, int length) {
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof V2Body b && Arrays.equals(encode(), b.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(senderDevice) * 31 + entries.hashCode();
  }

  @Override
  public String toString() {
    return "V2Body[" + entries + ", " + ciphertext.length + " ciphertext bytes]";
  }
}
