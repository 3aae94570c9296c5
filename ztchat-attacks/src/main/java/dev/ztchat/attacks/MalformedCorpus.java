package dev.ztchat.attacks;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.WrappedKey;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Broken frames for the {@code malformed} attack, each with a short label: bad lengths, truncated
 * and invalid encodings, wrong member types, huge numbers, deep nesting, unknown and server-only
 * types, and {@code send} frames whose envelope does not parse. Every entry is complete bytes on
 * the wire, length prefix included.
 */
final class MalformedCorpus {
  private MalformedCorpus() {}

  static Map<String, byte[]> entries() {
    Map<String, byte[]> c = new LinkedHashMap<>();
    c.put("length 0", RawFrameClient.framed(new byte[0]));
    c.put(
        "length 0xffffffff", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, '{'});
    c.put("length over the limit", new byte[] {0, 1, 0, 0, '{', '"'});
    c.put("not JSON", json("not json at all"));
    c.put("JSON null", json("null"));
    c.put("JSON array", json("[1,2,3]"));
    c.put("JSON string", json("\"ping\""));
    c.put("empty object", json("{}"));
    c.put("truncated JSON", json("{\"type\":\"ping\""));
    c.put("two objects", json("{\"type\":\"ping\"}{\"type\":\"ping\"}"));
    c.put(
        "invalid UTF-8",
        frame(new byte[] {'{', '"', 't', (byte) 0xc3, (byte) 0x28, '"', ':', '1', '}'}));
    c.put(
        "overlong UTF-8",
        frame(
            new byte[] {
              '{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}'
            }));
    c.put("UTF-16", frame("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_16)));
    c.put("NUL bytes", frame(new byte[] {0, 0, 0, 0, 0, 0, 0, 0}));
    c.put("type is a number", json("{\"type\":42}"));
    c.put("type is an object", json("{\"type\":{\"type\":\"ping\"}}"));
    c.put("duplicate type", json("{\"type\":\"ping\",\"type\":\"who\"}"));
    c.put("unknown type", json("{\"type\":\"teleport\"}"));
    c.put("server-only type", json("{\"type\":\"deliver\",\"envelope\":\"AAAA\"}"));
    c.put("bad ref", json("{\"type\":\"ping\",\"ref\":\"has spaces and ; and \\u0000\"}"));
    c.put("ref is a number", json("{\"type\":\"ping\",\"ref\":7}"));
    c.put("user is an array", json("{\"type\":\"directory\",\"user\":[\"bob\"]}"));
    c.put("user is a huge number", json("{\"type\":\"directory\",\"user\":1e999999999}"));
    c.put("3000-digit number", json("{\"type\":\"directory\",\"user\":" + "9".repeat(3000) + "}"));
    c.put(
        "int overflow",
        json(
            "{\"type\":\"welcome\",\"protocol\":99999999999999999999,\"identity\":\"x\","
                + "\"maxFrame\":1,\"idleTimeoutSeconds\":1}"));
    c.put(
        "nesting 9 deep", json("{\"type\":\"ping\",\"x\":" + "[".repeat(9) + "]".repeat(9) + "}"));
    c.put(
        "nesting 2000 deep",
        json("{\"type\":\"ping\",\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}"));
    c.put("send without envelope", json("{\"type\":\"send\"}"));
    c.put("envelope is a number", json("{\"type\":\"send\",\"envelope\":12}"));
    c.put("envelope not base64", json("{\"type\":\"send\",\"envelope\":\"!!!not base64\"}"));
    c.put("envelope 3 bytes", send(new byte[] {1, 2, 3}));
    c.put("envelope version 2", send(withVersion(2)));
    c.put("envelope truncated", send(Arrays.copyOf(valid(), valid().length - 40)));
    c.put("envelope trailing bytes", send(concat(valid(), new byte[] {0})));
    c.put("envelope huge ciphertext length", send(hugeCiphertextLength()));
    c.put("envelope bad sender name", send(rawHeader("ALICE!", "carol")));
    c.put(
        "publish garbage certificate",
        json("{\"type\":\"publish\",\"encryption\":\"-----BEGIN CERTIFICATE-----\\nAAAA\\n\"}"));
    return c;
  }

  private static byte[] json(String s) {
    return frame(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] frame(byte[] payload) {
    return RawFrameClient.framed(payload);
  }

  private static byte[] send(byte[] envelope) {
    return json(
        "{\"type\":\"send\",\"ref\":\"m\",\"envelope\":\""
            + Base64.getEncoder().encodeToString(envelope)
            + "\"}");
  }

  private static byte[] valid() {
    return Envelopes.structural("alice", "carol");
  }

  private static byte[] withVersion(int version) {
    byte[] e = valid();
    e[0] = (byte) version;
    return e;
  }

  /** A structurally valid envelope whose ciphertext length field says 0xffffffff. */
  private static byte[] hugeCiphertextLength() {
    SealedEnvelope e =
        new SealedEnvelope(
            new EnvelopeHeader(
                1, "alice", List.of("carol"), System.currentTimeMillis(), Envelopes.random(16)),
            List.of(new WrappedKey("carol", Envelopes.random(32), Envelopes.random(256))),
            Envelopes.random(12),
            Envelopes.random(32),
            Envelopes.random(256));
    byte[] encoded = EnvelopeCodec.encode(e);
    // everything before the signature field (a u16 length and the signature)
    byte[] signed = Arrays.copyOf(encoded, encoded.length - 2 - e.signature().length);
    ByteBuffer b = ByteBuffer.wrap(signed);
    b.putInt(signed.length - 32 - 4, 0xffffffff);
    return concat(signed, new byte[] {1, 0});
  }

  /** Header bytes written by hand, so a name the codec would refuse to encode can be sent. */
  private static byte[] rawHeader(String sender, String recipient) {
    List<byte[]> parts = new ArrayList<>();
    byte[] s = sender.getBytes(StandardCharsets.UTF_8);
    byte[] r = recipient.getBytes(StandardCharsets.UTF_8);
    parts.add(new byte[] {1, 0, (byte) s.length});
    parts.add(s);
    parts.add(new byte[] {1, 0, (byte) r.length});
    parts.add(r);
    parts.add(ByteBuffer.allocate(8).putLong(System.currentTimeMillis()).array());
    parts.add(Envelopes.random(16));
    byte[] out = new byte[0];
    for (byte[] p : parts) {
      out = concat(out, p);
    }
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
