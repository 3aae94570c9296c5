package dev.ztchat.core.protocol;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes the small frames of the delivery path ({@code ok}, {@code pong}, {@code sent}, {@code
 * ack}, {@code acks}) without a JSON generator: the relay answers every envelope with one or more
 * of them, and making and closing a generator costs more than the few bytes it writes. The bytes
 * are exactly {@link FrameWriter}'s (same members, same order, no whitespace); a frame with a
 * string that the generator would escape (a control character, {@code "} or {@code \}) or that is
 * not ASCII is left to it, so this class never has to escape anything.
 */
final class SmallFrames {
  private SmallFrames() {}

  /**
   * Writes {@code frame} and returns true when it is one of the small frames and all its strings
   * are plain; returns false, having written nothing, otherwise.
   */
  static boolean write(Frame frame, OutputStream out) throws IOException {
    switch (frame) {
      case Frame.Ok ok when plain(ok.ref()) -> open(out, ok.type(), ok.ref());
      case Frame.Pong p when plain(p.ref()) -> open(out, p.type(), p.ref());
      case Frame.Ack a when plain(a.ref()) && plain(a.sender()) && plain(a.messageId()) -> {
        open(out, a.type(), a.ref());
        member(out, "sender", a.sender());
        member(out, "messageId", a.messageId());
      }
      case Frame.Sent s when plain(s.ref()) && plain(s.messageId()) && plainResults(s) -> {
        open(out, s.type(), s.ref());
        member(out, "messageId", s.messageId());
        ascii(out, ",\"results\":[");
        String comma = "";
        for (Frame.Delivery d : s.results()) {
          ascii(out, comma);
          ascii(out, "{\"user\":\"");
          ascii(out, d.user());
          ascii(out, "\",\"status\":\"");
          ascii(out, d.status().wire());
          ascii(out, "\"}");
          comma = ",";
        }
        out.write(']');
      }
      case Frame.Acks a when plain(a.ref()) && plainEnvelopes(a) -> {
        open(out, a.type(), a.ref());
        ascii(out, ",\"envelopes\":[");
        String comma = "";
        for (Frame.AckedEnvelope e : a.envelopes()) {
          ascii(out, comma);
          ascii(out, "{\"sender\":\"");
          ascii(out, e.sender());
          ascii(out, "\",\"messageId\":\"");
          ascii(out, e.messageId());
          ascii(out, "\"}");
          comma = ",";
        }
        out.write(']');
      }
      default -> {
        return false;
      }
    }
    out.write('}');
    return true;
  }

  private static boolean plainResults(Frame.Sent s) {
    for (Frame.Delivery d : s.results()) {
      if (!plain(d.user())) {
        return false;
      }
    }
    return true;
  }

  private static boolean plainEnvelopes(Frame.Acks a) {
    for (Frame.AckedEnvelope e : a.envelopes()) {
      if (!plain(e.sender()) || !plain(e.messageId())) {
        return false;
      }
    }
    return true;
  }

  /** Null (an absent member) or printable ASCII that JSON writes as it is. */
  private static boolean plain(String s) {
    if (s == null) {
      return true;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** The opening brace, the {@code type} member and the {@code ref} member when there is one. */
  private static void open(OutputStream out, String type, String ref) throws IOException {
    ascii(out, "{\"type\":\"");
    ascii(out, type);
    out.write('"');
    if (ref != null) {
      member(out, "ref", ref);
    }
  }

  private static void member(OutputStream out, String name, String value) throws IOException {
    ascii(out, ",\"");
    ascii(out, name);
    ascii(out, "\":\"");
    ascii(out, value);
    out.write('"');
  }

  private static void ascii(OutputStream out, String s) throws IOException {
    for (int i = 0; i < s.length(); i++) {
      out.write(s.charAt(i));
    }
  }
}
