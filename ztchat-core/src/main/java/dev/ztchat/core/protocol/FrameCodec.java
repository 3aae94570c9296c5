package dev.ztchat.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Encodes {@link Frame}s as JSON payloads and decodes payloads strictly (docs/PROTOCOL.md section
 * 4): UTF-8 only, one object, no duplicate members, bounded nesting, every listed member of the
 * right type. Decoding never throws anything but {@link MalformedFrameException}.
 */
public final class FrameCodec {
  private static final Pattern REF = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(ProtocolLimits.MAX_JSON_DEPTH)
                          .maxStringLength(ProtocolLimits.MAX_MAX_FRAME)
                          .maxNumberLength(32)
                          .build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final ThreadLocal<CharsetDecoder> STRICT_UTF8 =
      ThreadLocal.withInitial(
          () ->
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT));

  private FrameCodec() {}

  /** The JSON payload of a frame (without the length prefix). */
  public static byte[] encode(Frame frame) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", frame.type());
    switch (frame) {
      case Frame.Welcome w -> {
        o.put("protocol", w.protocol());
        o.put("identity", w.identity());
        o.put("maxFrame", w.maxFrame());
        o.put("idleTimeoutSeconds", w.idleTimeoutSeconds());
      }
      case Frame.Sent s -> {
        ref(o, s.ref());
        o.put("messageId", s.messageId());
        ArrayNode results = o.putArray("results");
        for (Frame.Delivery d : s.results()) {
          results.addObject().put("user", d.user()).put("status", d.status().wire());
        }
      }
      case Frame.Deliver d -> o.put("envelope", Base64.getEncoder().encodeToString(d.envelope()));
      case Frame.Certificates c -> {
        ref(o, c.ref());
        o.put("user", c.user());
        o.put("signing", c.signing());
        o.put("encryption", c.encryption());
      }
      case Frame.Online on -> {
        ref(o, on.ref());
        ArrayNode users = o.putArray("users");
        on.users().forEach(users::add);
      }
      case Frame.Revocations r -> {
        ref(o, r.ref());
        o.put("crl", r.crl());
      }
      case Frame.CrlRequest c -> ref(o, c.ref());
      case Frame.Ok ok -> ref(o, ok.ref());
      case Frame.Pong p -> ref(o, p.ref());
      case Frame.Error e -> {
        ref(o, e.ref());
        o.put("code", e.code().wire());
        o.put("message", e.message());
      }
      case Frame.Send s -> {
        ref(o, s.ref());
        o.put("envelope", Base64.getEncoder().encodeToString(s.envelope()));
      }
      case Frame.DirectoryRequest d -> {
        ref(o, d.ref());
        o.put("user", d.user());
      }
      case Frame.Who w -> ref(o, w.ref());
      case Frame.Publish p -> {
        ref(o, p.ref());
        o.put("encryption", p.encryption());
      }
      case Frame.Ack a -> {
        ref(o, a.ref());
        o.put("sender", a.sender());
        o.put("messageId", a.messageId());
      }
      case Frame.Ping p -> ref(o, p.ref());
    }
    try {
      return JSON.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException("JSON encoding failed", e);
    }
  }

  /** Decodes one payload. */
  public static Frame decode(byte[] payload) throws MalformedFrameException {
    if (payload.length == 0) {
      throw new MalformedFrameException(ErrorCode.MALFORMED, "not a JSON object: empty frame", null);
    }
    JsonNode root;
    try {
      // Decoded as strict UTF-8 first: given bytes, the JSON parser would guess UTF-16 or UTF-32
      // from a byte-order mark or zero bytes and accept a frame the specification forbids.
      root = JSON.readTree(STRICT_UTF8.get().decode(java.nio.ByteBuffer.wrap(payload)).toString());
    } catch (StreamConstraintsException e) {
      throw new MalformedFrameException(
          ErrorCode.MALFORMED, "not a JSON object within limits: nested too deep or too long", null);
    } catch (CharacterCodingException e) {
      throw new MalformedFrameException(ErrorCode.MALFORMED, "not a JSON object: invalid UTF-8", null);
    } catch (IOException | RuntimeException e) {
      throw new MalformedFrameException(
          ErrorCode.MALFORMED, "not a JSON object: invalid JSON or invalid UTF-8", null);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedFrameException(ErrorCode.MALFORMED, "not a JSON object", null);
    }
    Fields f = new Fields(root);
    String ref = f.ref();
    String type = f.requiredText("type");
    return switch (type) {
      case "welcome" ->
          new Frame.Welcome(
              f.requiredInt("protocol"),
              f.requiredText("identity"),
              f.requiredInt("maxFrame"),
              f.requiredInt("idleTimeoutSeconds"));
      case "sent" -> new Frame.Sent(ref, f.requiredText("messageId"), f.deliveries("results"));
      case "deliver" -> new Frame.Deliver(f.requiredBase64("envelope"));
      case "certificates" ->
          new Frame.Certificates(
              ref, f.requiredText("user"), f.requiredText("signing"), f.requiredText("encryption"));
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
      case "send" -> new Frame.Send(ref, f.requiredBase64("envelope"));
      case "directory" -> new Frame.DirectoryRequest(ref, f.requiredText("user"));
      case "who" -> new Frame.Who(ref);
      case "publish" -> new Frame.Publish(ref, f.requiredText("encryption"));
      case "ack" -> new Frame.Ack(ref, f.requiredText("sender"), f.requiredText("messageId"));
      case "ping" -> new Frame.Ping(ref);
      default ->
          throw new MalformedFrameException(
              ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + printable(type) + "'", ref);
    };
  }

  private static void ref(ObjectNode o, String ref) {
    if (ref != null) {
      o.put("ref", ref);
    }
  }

  private static String printable(String s) {
    String t = s.length() > 32 ? s.substring(0, 32) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /** Typed access to the members of one object, each failure a MalformedFrameException. */
  private static final class Fields {
    private final JsonNode node;
    private String ref;

    Fields(JsonNode node) {
      this.node = node;
    }

    String ref() throws MalformedFrameException {
      JsonNode r = node.get("ref");
      if (r == null || r.isNull()) {
        return null;
      }
      if (!r.isTextual() || !REF.matcher(r.asText()).matches()) {
        throw new MalformedFrameException(
            ErrorCode.MALFORMED, "'ref' must be 1 to 64 characters from A-Z a-z 0-9 _ . -", null);
      }
      ref = r.asText();
      return ref;
    }

    private MalformedFrameException bad(String name, String what) {
      return new MalformedFrameException(
          ErrorCode.MALFORMED, "member '" + name + "' " + what, ref);
    }

    String requiredText(String name) throws MalformedFrameException {
      JsonNode v = node.get(name);
      if (v == null || v.isNull()) {
        throw bad(name, "is missing");
      }
      if (!v.isTextual()) {
        throw bad(name, "must be a string");
      }
      return v.asText();
    }

    int requiredInt(String name) throws MalformedFrameException {
      JsonNode v = node.get(name);
      if (v == null || v.isNull()) {
        throw bad(name, "is missing");
      }
      if (!v.isInt()) {
        throw bad(name, "must be an integer between -2^31 and 2^31-1");
      }
      return v.asInt();
    }

    byte[] requiredBase64(String name) throws MalformedFrameException {
      String text = requiredText(name);
      try {
        return Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw bad(name, "is not valid base64");
      }
    }

    List<String> textArray(String name) throws MalformedFrameException {
      JsonNode v = node.get(name);
      if (v == null || !v.isArray()) {
        throw bad(name, "must be an array of strings");
      }
      List<String> out = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isTextual()) {
          throw bad(name, "must be an array of strings");
        }
        out.add(e.asText());
      }
      return out;
    }

    List<Frame.Delivery> deliveries(String name) throws MalformedFrameException {
      JsonNode v = node.get(name);
      if (v == null || !v.isArray()) {
        throw bad(name, "must be an array of objects");
      }
      List<Frame.Delivery> out = new ArrayList<>();
      for (JsonNode e : v) {
        JsonNode user = e.get("user");
        JsonNode status = e.get("status");
        DeliveryStatus s = status != null && status.isTextual() ? DeliveryStatus.fromWire(status.asText()) : null;
        if (user == null || !user.isTextual() || s == null) {
          throw bad(name, "must hold objects with a 'user' and a known 'status'");
        }
        out.add(new Frame.Delivery(user.asText(), s));
      }
      return out;
    }
  }
}
