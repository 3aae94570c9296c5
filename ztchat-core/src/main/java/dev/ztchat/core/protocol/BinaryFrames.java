package dev.ztchat.core.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The binary form of {@code send} and {@code deliver} (docs/v2/envelope.md section 4): envelopes as
 * bytes instead of base64 in JSON.
 *
 * <pre>
 * payload = u8 0xFF | u8 type (1 send, 2 deliver, 3 send with devices) | u8 ref_length (0..64)
 *           | ref | [type 3: u16 devices_length | devices] | envelope
 * </pre>
 *
 * <p>{@code devices} (type 3 only) is the {@code devices} member of a JSON {@code send} as US-ASCII
 * text, its entries {@code NAME:DEVICE-ID} joined by {@code ,} (docs/v2/devices.md section 6).
 *
 * <p>0xFF is never a byte of UTF-8 text, so no JSON payload can start with it: the first byte alone
 * says which decoder reads the payload. Security guarantees: the same strictness as the JSON
 * decoder. A payload too short for its header, or whose {@code ref_length} runs past the end, is
 * unparseable (the connection is closed); a bad {@code ref}, a {@code ref} on a {@code deliver}, a
 * missing envelope and an unknown type get an error on an open connection. The envelope runs to the
 * payload's end: its own decoder refuses trailing bytes. Nothing but {@link
 * MalformedFrameException} is thrown.
 */
final class BinaryFrames {
  /** The first byte of every binary payload. */
  static final int MARKER = 0xff;

  static final int SEND = 1;
  static final int DELIVER = 2;
  static final int SEND_WITH_DEVICES = 3;

  /** How the message of every unparseable binary payload starts. */
  static final String UNPARSEABLE = "not a binary frame";

  private static final int HEADER_BYTES = 3;
  private static final Pattern REF = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private BinaryFrames() {}

  static boolean isBinary(byte[] payload) {
    return payload.length > 0 && (payload[0] & 0xff) == MARKER;
  }

  static void write(Frame frame, OutputStream out) throws IOException {
    switch (frame) {
      case Frame.Send s when s.devices() != null -> {
        byte[] devices = String.join(",", s.devices()).getBytes(StandardCharsets.US_ASCII);
        write(out, SEND_WITH_DEVICES, s.ref(), new byte[0]);
        out.write(devices.length >>> 8);
        out.write(devices.length & 0xff);
        out.write(devices);
        out.write(s.envelope());
      }
      case Frame.Send s -> write(out, SEND, s.ref(), s.envelope());
      case Frame.Deliver d -> write(out, DELIVER, null, d.envelope());
      default -> throw new IllegalArgumentException(frame.type() + " has no binary form");
    }
  }

  private static void write(OutputStream out, int type, String ref, byte[] envelope)
      throws IOException {
    byte[] r = ref == null ? new byte[0] : ref.getBytes(StandardCharsets.US_ASCII);
    if (ref != null && !REF.matcher(ref).matches()) {
      throw new IllegalArgumentException("a ref is 1 to 64 characters from A-Z a-z 0-9 _ . -");
    }
    out.write(MARKER);
    out.write(type);
    out.write(r.length);
    out.write(r);
    out.write(envelope);
  }

  static Frame read(byte[] payload) throws MalformedFrameException {
    if (payload.length < HEADER_BYTES) {
      throw unparseable("truncated header");
    }
    int type = payload[1] & 0xff;
    int refLength = payload[2] & 0xff;
    if (HEADER_BYTES + refLength > payload.length) {
      throw unparseable("ref_length " + refLength + " runs past the end");
    }
    String ref = null;
    if (refLength > 0) {
      String text = new String(payload, HEADER_BYTES, refLength, StandardCharsets.ISO_8859_1);
      if (!REF.matcher(text).matches()) {
        throw new MalformedFrameException(
            ErrorCode.MALFORMED, "'ref' must be 1 to 64 characters from A-Z a-z 0-9 _ . -", null);
      }
      ref = text;
    }
    int rest = HEADER_BYTES + refLength;
    return switch (type) {
      case SEND -> new Frame.Send(ref, present(tail(payload, rest), ref), true);
      case SEND_WITH_DEVICES -> sendWithDevices(payload, rest, ref);
      case DELIVER -> {
        if (ref != null) {
          throw new MalformedFrameException(
              ErrorCode.MALFORMED, "a binary deliver carries no 'ref'", ref);
        }
        yield new Frame.Deliver(present(tail(payload, rest), null), true);
      }
      default ->
          throw new MalformedFrameException(
              ErrorCode.UNKNOWN_TYPE, "unknown binary frame type " + type, ref);
    };
  }

  /** Type 3: {@code payload} from {@code at} is {@code u16 devices_length | devices | envelope}. */
  private static Frame.Send sendWithDevices(byte[] payload, int at, String ref)
      throws MalformedFrameException {
    if (payload.length - at < 2) {
      throw new MalformedFrameException(ErrorCode.MALFORMED, "truncated devices_length", ref);
    }
    int length = ((payload[at] & 0xff) << 8) | (payload[at + 1] & 0xff);
    if (2 + length > payload.length - at) {
      throw new MalformedFrameException(
          ErrorCode.MALFORMED, "devices_length " + length + " runs past the end", ref);
    }
    String text = new String(payload, at + 2, length, StandardCharsets.ISO_8859_1);
    List<String> devices = text.isEmpty() ? List.of() : List.of(text.split(",", -1));
    byte[] envelope = tail(payload, at + 2 + length);
    Frame.Send send;
    try {
      // Frame.Send checks the count and every entry's form: once, there
      send = new Frame.Send(ref, envelope, true, devices);
    } catch (IllegalArgumentException e) {
      throw new MalformedFrameException(
          ErrorCode.MALFORMED,
          "'devices' must be at most "
              + Frame.Send.MAX_DEVICES
              + " entries NAME:DEVICE-ID (64 lower-case hex digits)",
          ref);
    }
    present(envelope, ref);
    return send;
  }

  /** The envelope: the payload's bytes from {@code at} to its end, copied once. */
  private static byte[] tail(byte[] payload, int at) {
    return Arrays.copyOfRange(payload, at, payload.length);
  }

  private static byte[] present(byte[] envelope, String ref) throws MalformedFrameException {
    if (envelope.length == 0) {
      throw new MalformedFrameException(
          ErrorCode.MALFORMED, "the binary frame carries no envelope", ref);
    }
    return envelope;
  }

  private static MalformedFrameException unparseable(String why) {
    return new MalformedFrameException(ErrorCode.MALFORMED, UNPARSEABLE + ": " + why, null);
  }
}
