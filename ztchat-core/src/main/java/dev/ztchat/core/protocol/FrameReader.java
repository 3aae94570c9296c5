package dev.ztchat.core.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.ztchat.core.protocol.FrameMembers.Shape;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads one payload into a {@link Frame} with a streaming parser (docs/PROTOCOL.md section 4).
 *
 * <p>Security guarantees: the payload must be strict UTF-8 and exactly one JSON object within the
 * limits of {@link FrameJson} (nesting, duplicates, lengths), with nothing after it. The whole
 * payload is parsed before any member is looked at, so such a payload is always reported as
 * unparseable ({@link MalformedFrameException#isUnparseable()}) whatever its members hold. Nothing
 * but {@link MalformedFrameException} is thrown.
 */
final class FrameReader {
  private static final ThreadLocal<CharsetDecoder> STRICT_UTF8 =
      ThreadLocal.withInitial(
          () ->
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT));

  private FrameReader() {}

  static Frame read(byte[] payload) throws MalformedFrameException {
    FrameMembers f = members(payload);
    String ref = f.ref();
    String type = f.requiredText("type");
    return switch (type) {
      case "welcome" ->
          new Frame.Welcome(
              f.requiredInt("protocol"),
              f.requiredText("identity"),
              f.requiredInt("maxFrame"),
              f.requiredInt("idleTimeoutSeconds"),
              f.optionalInt("queueTtlSeconds", 0),
              f.optionalIntArray("versions"),
              f.optionalInt("maxAcks", 0));
      case "sent" -> new Frame.Sent(ref, f.requiredText("messageId"), f.deliveries("results"));
      case "deliver" -> new Frame.Deliver(f.requiredBase64("envelope"));
      case "certificates" ->
          new Frame.Certificates(
              ref,
              f.requiredText("user"),
              f.requiredText("signing"),
              f.requiredText("encryption"),
              f.optionalTextArray("earlierSigning"));
      case "online" -> new Frame.Online(ref, f.textArray("users"));
      case "revocations" -> new Frame.Revocations(ref, f.requiredText("crl"));
      case "crl" -> new Frame.CrlRequest(ref);
      case "ok" -> new Frame.Ok(ref);
      case "pong" -> new Frame.Pong(ref);
      case "error" -> {
        ErrorCode code = ErrorCode.fromWire(f.requiredText("code"));
        yield new Frame.Error(
            ref, code == null ? ErrorCode.INTERNAL : code, f.requiredText("message"));
      }
      case "send" -> new Frame.Send(ref, f.requiredBase64("envelope"), false, devices(f, ref));
      case "directory" -> new Frame.DirectoryRequest(ref, f.requiredText("user"));
      case "who" -> new Frame.Who(ref);
      case "publish" -> new Frame.Publish(ref, f.requiredText("encryption"));
      case "ack" -> new Frame.Ack(ref, f.requiredText("sender"), f.requiredText("messageId"));
      case "acks" -> new Frame.Acks(ref, f.ackedEnvelopes("envelopes"));
      case "ping" -> new Frame.Ping(ref);
      case "features" ->
          new Frame.Features(ref, f.optionalBoolean("binaryFrames"), f.optionalInt("window", 0));
      // prekeys (docs/v2/prekeys.md)
      case "prekeys" ->
          new Frame.PublishPrekeys(
              ref,
              f.requiredText("device"),
              f.optionalBase64("certificate"),
              f.optionalBase64("signedPrekey"),
              f.optionalBase64("lastResort"),
              f.optionalBase64Array("oneTime"));
      case "prekeyStock" ->
          new Frame.PrekeyStock(
              ref,
              f.requiredText("device"),
              f.requiredInt("oneTime"),
              f.requiredInt("oneTimeLimit"),
              f.optionalText("signedPrekeyId"),
              f.optionalText("lastResortId"),
              f.requiredText("nextOneTimeId"));
      case "bundle" ->
          new Frame.BundleRequest(ref, f.requiredText("user"), deviceId(f, "device", ref));
      case "prekeyBundle" -> prekeyBundle(ref, f);
      default ->
          throw new MalformedFrameException(
              ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + printable(type) + "'", ref);
    };
  }

  private static Frame.PrekeyBundle prekeyBundle(String ref, FrameMembers f)
      throws MalformedFrameException {
    String kem = f.requiredText("kem");
    if (!kem.equals("one-time") && !kem.equals("last-resort")) {
      throw new MalformedFrameException(
          ErrorCode.MALFORMED, "member 'kem' must be \"one-time\" or \"last-resort\"", ref);
    }
    return new Frame.PrekeyBundle(
        ref,
        f.requiredText("user"),
        f.requiredText("device"),
        f.requiredBase64("certificate"),
        f.requiredBase64("signedPrekey"),
        f.requiredBase64("kemPrekey"),
        kem.equals("last-resort"),
        deviceIds(f, ref));
  }

  /** An optional member of 64 lower-case hex digits (a device id), or null. */
  private static String deviceId(FrameMembers f, String name, String ref)
      throws MalformedFrameException {
    String id = f.optionalText(name);
    if (id != null && !DEVICE_ID.matcher(id).matches()) {
      throw new MalformedFrameException(
          ErrorCode.MALFORMED, "member '" + name + "' must be 64 lower-case hex digits", ref);
    }
    return id;
  }

  /** The optional member {@code devices} of {@code prekeyBundle}: at most 16 device ids. */
  private static List<String> deviceIds(FrameMembers f, String ref) throws MalformedFrameException {
    List<String> ids = f.optionalTextArray("devices");
    if (ids.size() > 16) {
      throw new MalformedFrameException(
          ErrorCode.MALFORMED, "member 'devices' lists more than 16 devices", ref);
    }
    for (String id : ids) {
      if (!DEVICE_ID.matcher(id).matches()) {
        throw new MalformedFrameException(
            ErrorCode.MALFORMED, "member 'devices' must hold 64 lower-case hex digits each", ref);
      }
    }
    return ids;
  }

  private static final Pattern DEVICE_ID = Pattern.compile("[0-9a-f]{64}");

  private static FrameMembers members(byte[] payload) throws MalformedFrameException {
    if (payload.length == 0) {
      throw unparseable("not a JSON object: empty frame");
    }
    // Decoded as strict UTF-8 first, and parsed as characters: given bytes, the JSON parser would
    // guess UTF-16 or UTF-32 from a byte-order mark or zero bytes and accept a frame the
    // specification forbids.
    CharBuffer text = strictUtf8(payload);
    try (JsonParser p = FrameJson.FACTORY.createParser(text.array(), 0, text.position())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw unparseable("not a JSON object");
      }
      FrameMembers members = new FrameMembers();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        members.put(name, value(p, p.nextToken()));
      }
      if (p.nextToken() != null) {
        throw unparseable("not a JSON object: something follows the object");
      }
      return members;
    } catch (StreamConstraintsException e) {
      throw unparseable("not a JSON object within limits: nested too deep or too long");
    } catch (IOException | RuntimeException e) {
      throw unparseable("not a JSON object: invalid JSON");
    }
  }

  private static CharBuffer strictUtf8(byte[] payload) throws MalformedFrameException {
    CharsetDecoder decoder = STRICT_UTF8.get().reset();
    // UTF-8 never decodes to more UTF-16 units than it has bytes.
    CharBuffer out = CharBuffer.allocate(payload.length);
    CoderResult result = decoder.decode(ByteBuffer.wrap(payload), out, true);
    if (result.isUnderflow()) {
      result = decoder.flush(out);
    }
    if (!result.isUnderflow()) {
      throw unparseable("not a JSON object: invalid UTF-8");
    }
    return out;
  }

  /** A top-level member's value, as {@link FrameMembers} keeps it. */
  private static Object value(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT ->
          p.getNumberType() == JsonParser.NumberType.INT ? (Object) p.getIntValue() : Shape.OTHER;
      case VALUE_NULL -> Shape.NULL;
      case VALUE_TRUE -> (Object) true;
      case VALUE_FALSE -> (Object) false;
      case START_ARRAY -> elements(p);
      default -> skip(p);
    };
  }

  private static List<Object> elements(JsonParser p) throws IOException {
    List<Object> out = new ArrayList<>();
    for (JsonToken t = next(p); t != JsonToken.END_ARRAY; t = next(p)) {
      out.add(
          switch (t) {
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT ->
                p.getNumberType() == JsonParser.NumberType.INT
                    ? (Object) p.getIntValue()
                    : Shape.OTHER;
            case START_OBJECT -> objectMembers(p);
            default -> skip(p);
          });
    }
    return out;
  }

  private static Map<String, Object> objectMembers(JsonParser p) throws IOException {
    Map<String, Object> out = new HashMap<>();
    for (JsonToken t = next(p); t == JsonToken.FIELD_NAME; t = next(p)) {
      String name = p.currentName();
      out.put(name, next(p) == JsonToken.VALUE_STRING ? p.getText() : skip(p));
    }
    return out;
  }

  /** Parses (and so checks) the rest of a value that is kept only as its shape. */
  private static Shape skip(JsonParser p) throws IOException {
    p.skipChildren();
    return Shape.OTHER;
  }

  private static JsonToken next(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw new EOFException("payload ends inside a value");
    }
    return t;
  }

  private static MalformedFrameException unparseable(String message) {
    return new MalformedFrameException(ErrorCode.MALFORMED, message, null);
  }

  private static String printable(String s) {
    String t = s.length() > 32 ? s.substring(0, 32) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /** The optional {@code devices} of a {@code send}: null when absent. */
  private static List<String> devices(FrameMembers f, String ref) throws MalformedFrameException {
    if (!f.has("devices")) {
      return null;
    }
    List<String> devices = f.textArray("devices");
    if (devices.size() > Frame.Send.MAX_DEVICES
        || !devices.stream().allMatch(Frame.Send::isDeviceEntry)) {
      throw new MalformedFrameException(
          ErrorCode.MALFORMED,
          "'devices' must be at most "
              + Frame.Send.MAX_DEVICES
              + " entries NAME:DEVICE-ID (64 lower-case hex digits)",
          ref);
    }
    return devices;
  }
}
