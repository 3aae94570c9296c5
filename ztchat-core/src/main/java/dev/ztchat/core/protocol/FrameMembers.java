package dev.ztchat.core.protocol;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The top-level members of one frame object, as {@link FrameReader} found them, with typed access
 * (docs/PROTOCOL.md section 4): each missing member or member of the wrong JSON type is a {@link
 * MalformedFrameException} that carries the frame's {@code ref} once it has been read.
 *
 * <p>A member's value is kept as a {@link String}, an {@link Integer} (an integral number that fits
 * in 32 bits), a {@link Boolean}, a {@link List} (an array; each element a {@link String}, an
 * {@link Integer}, a {@link Map} of an object's members, each a {@link String} or {@link
 * Shape#OTHER}, or {@link Shape#OTHER}), or a {@link Shape} for anything else.
 */
final class FrameMembers {
  private static final Pattern REF = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** What a value is when it is none of the kept kinds. */
  enum Shape {
    /** JSON {@code null}: counts as absent where a member is required. */
    NULL,
    /** An object, or a number that is not an integer within 32 bits. */
    OTHER
  }

  private final Map<String, Object> members = new HashMap<>();
  private String ref;

  void put(String name, Object value) {
    members.put(name, value);
  }

  String ref() throws MalformedFrameException {
    Object r = members.get("ref");
    if (r == null || r == Shape.NULL) {
      return null;
    }
    if (!(r instanceof String s) || !REF.matcher(s).matches()) {
      throw new MalformedFrameException(
          ErrorCode.MALFORMED, "'ref' must be 1 to 64 characters from A-Z a-z 0-9 _ . -", null);
    }
    ref = s;
    return ref;
  }

  private MalformedFrameException bad(String name, String what) {
    return new MalformedFrameException(ErrorCode.MALFORMED, "member '" + name + "' " + what, ref);
  }

  String requiredText(String name) throws MalformedFrameException {
    Object v = present(name);
    if (!(v instanceof String s)) {
      throw bad(name, "must be a string");
    }
    return s;
  }

  int requiredInt(String name) throws MalformedFrameException {
    Object v = present(name);
    if (!(v instanceof Integer i)) {
      throw bad(name, "must be an integer between -2^31 and 2^31-1");
    }
    return i;
  }

  /**
   * Standard base64 with padding (RFC 4648 section 4, as the conventions of docs/PROTOCOL.md say):
   * no line breaks, no white space, no other alphabet, no missing padding.
   */
  byte[] requiredBase64(String name) throws MalformedFrameException {
    String text = requiredText(name);
    if (text.length() % 4 != 0) {
      throw bad(name, "is not valid base64");
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw bad(name, "is not valid base64");
    }
  }

  /** An optional integer member: {@code absent} when missing or JSON null. */
  int optionalInt(String name, int absent) throws MalformedFrameException {
    Object v = members.get(name);
    return v == null || v == Shape.NULL ? absent : requiredInt(name);
  }

  /** An optional boolean member: false when missing or JSON null. */
  boolean optionalBoolean(String name) throws MalformedFrameException {
    Object v = members.get(name);
    if (v == null || v == Shape.NULL) {
      return false;
    }
    if (!(v instanceof Boolean b)) {
      throw bad(name, "must be true or false");
    }
    return b;
  }

  /** An optional array of integers (each within 32 bits): empty when missing or JSON null. */
  List<Integer> optionalIntArray(String name) throws MalformedFrameException {
    Object v = members.get(name);
    if (v == null || v == Shape.NULL) {
      return List.of();
    }
    if (!(v instanceof List<?> elements)) {
      throw bad(name, "must be an array of integers");
    }
    List<Integer> out = new ArrayList<>(elements.size());
    for (Object e : elements) {
      if (!(e instanceof Integer i)) {
        throw bad(name, "must be an array of integers");
      }
      out.add(i);
    }
    return out;
  }

  /** Whether member {@code name} is present and not JSON null. */
  boolean has(String name) {
    Object v = members.get(name);
    return v != null && v != Shape.NULL;
  }

  /** An optional array of strings: empty when missing or JSON null. */
  List<String> optionalTextArray(String name) throws MalformedFrameException {
    Object v = members.get(name);
    return v == null || v == Shape.NULL ? List.of() : textArray(name);
  }

  List<String> textArray(String name) throws MalformedFrameException {
    if (!(members.get(name) instanceof List<?> elements)) {
      throw bad(name, "must be an array of strings");
    }
    List<String> out = new ArrayList<>(elements.size());
    for (Object e : elements) {
      if (!(e instanceof String s)) {
        throw bad(name, "must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }

  List<Frame.Delivery> deliveries(String name) throws MalformedFrameException {
    if (!(members.get(name) instanceof List<?> elements)) {
      throw bad(name, "must be an array of objects");
    }
    List<Frame.Delivery> out = new ArrayList<>(elements.size());
    for (Object e : elements) {
      Object user = e instanceof Map<?, ?> m ? m.get("user") : null;
      Object status = e instanceof Map<?, ?> m ? m.get("status") : null;
      DeliveryStatus s = status instanceof String t ? DeliveryStatus.fromWire(t) : null;
      if (!(user instanceof String u) || s == null) {
        throw bad(name, "must hold objects with a 'user' and a known 'status'");
      }
      out.add(new Frame.Delivery(u, s));
    }
    return out;
  }

  /**
   * An array of objects, each with the string members {@code sender} and {@code messageId} (other
   * members ignored), as {@code acks} names envelopes. Their values are checked by the relay, not
   * here: the codec only reads what is there.
   */
  List<Frame.AckedEnvelope> ackedEnvelopes(String name) throws MalformedFrameException {
    if (!(present(name) instanceof List<?> elements)) {
      throw bad(name, "must be an array of objects");
    }
    List<Frame.AckedEnvelope> out = new ArrayList<>(elements.size());
    for (Object e : elements) {
      Object sender = e instanceof Map<?, ?> m ? m.get("sender") : null;
      Object messageId = e instanceof Map<?, ?> m ? m.get("messageId") : null;
      if (!(sender instanceof String s) || !(messageId instanceof String id)) {
        throw bad(name, "must hold objects with a string 'sender' and a string 'messageId'");
      }
      out.add(new Frame.AckedEnvelope(s, id));
    }
    return out;
  }

  private Object present(String name) throws MalformedFrameException {
    Object v = members.get(name);
    if (v == null || v == Shape.NULL) {
      throw bad(name, "is missing");
    }
    return v;
  }

  // ---- prekeys (docs/v2/prekeys.md) ----

  /** An optional base64 member: null when missing or JSON null. */
  byte[] optionalBase64(String name) throws MalformedFrameException {
    Object v = members.get(name);
    return v == null || v == Shape.NULL ? null : requiredBase64(name);
  }

  /** An optional array of base64 strings (as {@link #requiredBase64}): empty when missing. */
  List<byte[]> optionalBase64Array(String name) throws MalformedFrameException {
    List<String> texts = optionalTextArray(name);
    List<byte[]> out = new ArrayList<>(texts.size());
    for (String text : texts) {
      if (text.length() % 4 != 0) {
        throw bad(name, "is not an array of valid base64");
      }
      try {
        out.add(Base64.getDecoder().decode(text));
      } catch (IllegalArgumentException e) {
        throw bad(name, "is not an array of valid base64");
      }
    }
    return out;
  }

  /** An optional string member: null when missing or JSON null. */
  String optionalText(String name) throws MalformedFrameException {
    Object v = members.get(name);
    return v == null || v == Shape.NULL ? null : requiredText(name);
  }
}
