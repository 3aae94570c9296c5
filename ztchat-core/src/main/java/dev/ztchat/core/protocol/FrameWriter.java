package dev.ztchat.core.protocol;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * Writes one {@link Frame} as a JSON object with a streaming generator (docs/PROTOCOL.md section
 * 4): {@code type} first, then {@code ref} when there is one, then the frame's members in the order
 * of the tables. Envelopes go out as standard base64 with padding (RFC 4648 section 4), written
 * straight from their bytes.
 */
final class FrameWriter {
  private FrameWriter() {}

  static void write(Frame frame, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", frame.type());
    switch (frame) {
      case Frame.Welcome w -> {
        g.writeNumberField("protocol", w.protocol());
        g.writeStringField("identity", w.identity());
        g.writeNumberField("maxFrame", w.maxFrame());
        g.writeNumberField("idleTimeoutSeconds", w.idleTimeoutSeconds());
        if (w.queueTtlSeconds() > 0) {
          g.writeNumberField("queueTtlSeconds", w.queueTtlSeconds());
        }
        if (!w.versions().isEmpty()) {
          g.writeArrayFieldStart("versions");
          for (int v : w.versions()) {
            g.writeNumber(v);
          }
          g.writeEndArray();
        }
        if (w.maxAcks() > 0) {
          g.writeNumberField("maxAcks", w.maxAcks());
        }
      }
      case Frame.Sent s -> {
        ref(g, s.ref());
        g.writeStringField("messageId", s.messageId());
        g.writeArrayFieldStart("results");
        for (Frame.Delivery d : s.results()) {
          g.writeStartObject();
          g.writeStringField("user", d.user());
          g.writeStringField("status", d.status().wire());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      case Frame.Deliver d -> envelope(g, d.envelope());
      case Frame.Certificates c -> {
        ref(g, c.ref());
        g.writeStringField("user", c.user());
        g.writeStringField("signing", c.signing());
        g.writeStringField("encryption", c.encryption());
        if (!c.earlierSigning().isEmpty()) {
          g.writeArrayFieldStart("earlierSigning");
          for (String pem : c.earlierSigning()) {
            g.writeString(pem);
          }
          g.writeEndArray();
        }
      }
      case Frame.Online on -> {
        ref(g, on.ref());
        g.writeArrayFieldStart("users");
        for (String user : on.users()) {
          g.writeString(user);
        }
        g.writeEndArray();
      }
      case Frame.Revocations r -> {
        ref(g, r.ref());
        g.writeStringField("crl", r.crl());
      }
      case Frame.CrlRequest c -> ref(g, c.ref());
      case Frame.Ok ok -> ref(g, ok.ref());
      case Frame.Pong p -> ref(g, p.ref());
      case Frame.Error e -> {
        ref(g, e.ref());
        g.writeStringField("code", e.code().wire());
        g.writeStringField("message", e.message());
      }
      case Frame.Send s -> {
        ref(g, s.ref());
        envelope(g, s.envelope());
        if (s.devices() != null) {
          g.writeArrayFieldStart("devices");
          for (String d : s.devices()) {
            g.writeString(d);
          }
          g.writeEndArray();
        }
      }
      case Frame.DirectoryRequest d -> {
        ref(g, d.ref());
        g.writeStringField("user", d.user());
      }
      case Frame.Who w -> ref(g, w.ref());
      case Frame.Publish p -> {
        ref(g, p.ref());
        g.writeStringField("encryption", p.encryption());
      }
      case Frame.Ack a -> {
        ref(g, a.ref());
        g.writeStringField("sender", a.sender());
        g.writeStringField("messageId", a.messageId());
      }
      case Frame.Acks a -> {
        ref(g, a.ref());
        g.writeArrayFieldStart("envelopes");
        for (Frame.AckedEnvelope e : a.envelopes()) {
          g.writeStartObject();
          g.writeStringField("sender", e.sender());
          g.writeStringField("messageId", e.messageId());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      case Frame.Features f -> {
        ref(g, f.ref());
        g.writeBooleanField("binaryFrames", f.binaryFrames());
        if (f.window() != 0) {
          g.writeNumberField("window", f.window());
        }
      }
      case Frame.Ping p -> ref(g, p.ref());
      // prekeys (docs/v2/prekeys.md)
      case Frame.PublishPrekeys p -> {
        ref(g, p.ref());
        g.writeStringField("device", p.device());
        binary(g, "certificate", p.certificate());
        binary(g, "signedPrekey", p.signedPrekey());
        binary(g, "lastResort", p.lastResort());
        if (!p.oneTime().isEmpty()) {
          g.writeArrayFieldStart("oneTime");
          for (byte[] prekey : p.oneTime()) {
            g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, prekey, 0, prekey.length);
          }
          g.writeEndArray();
        }
      }
      case Frame.PrekeyStock s -> {
        ref(g, s.ref());
        g.writeStringField("device", s.device());
        g.writeNumberField("oneTime", s.oneTime());
        g.writeNumberField("oneTimeLimit", s.oneTimeLimit());
        if (s.signedPrekeyId() != null) {
          g.writeStringField("signedPrekeyId", s.signedPrekeyId());
        }
        if (s.lastResortId() != null) {
          g.writeStringField("lastResortId", s.lastResortId());
        }
        g.writeStringField("nextOneTimeId", s.nextOneTimeId());
      }
      case Frame.BundleRequest b -> {
        ref(g, b.ref());
        g.writeStringField("user", b.user());
        if (b.device() != null) {
          g.writeStringField("device", b.device());
        }
      }
      case Frame.PrekeyBundle b -> {
        ref(g, b.ref());
        g.writeStringField("user", b.user());
        g.writeStringField("device", b.device());
        binary(g, "certificate", b.certificate());
        binary(g, "signedPrekey", b.signedPrekey());
        binary(g, "kemPrekey", b.kemPrekey());
        g.writeStringField("kem", b.lastResort() ? "last-resort" : "one-time");
        if (!b.devices().isEmpty()) {
          g.writeArrayFieldStart("devices");
          for (String d : b.devices()) {
            g.writeString(d);
          }
          g.writeEndArray();
        }
      }
    }
    g.writeEndObject();
  }

  private static void ref(JsonGenerator g, String ref) throws IOException {
    if (ref != null) {
      g.writeStringField("ref", ref);
    }
  }

  /** A base64 member (as envelopes are written), left out when {@code bytes} is null. */
  private static void binary(JsonGenerator g, String name, byte[] bytes) throws IOException {
    if (bytes != null) {
      g.writeFieldName(name);
      g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, bytes, 0, bytes.length);
    }
  }

  private static void envelope(JsonGenerator g, byte[] envelope) throws IOException {
    g.writeFieldName("envelope");
    // MIME_NO_LINEFEEDS is RFC 4648 section 4: standard alphabet, '=' padding, no line breaks.
    g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, envelope, 0, envelope.length);
  }
}
