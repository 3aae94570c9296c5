package dev.ztchat.attacks;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.envelope.WrappedKey;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.ProtocolLimits;
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
 * types, {@code send} frames whose envelope does not parse, and version-2 envelopes in binary
 * frames that break docs/v2/envelope.md, each with the answer that document names ({@link
 * #v2Expectations}). Every entry is complete bytes on the wire, length prefix included.
 */
final class MalformedCorpus {
  private MalformedCorpus() {}

  /**
   * The answer docs/v2/envelope.md names for a malformed v2 entry: {@code error} with {@code code}
   * and exactly {@code message}, or, when {@code code} is null, none at all (a spoofed sender is
   * dropped silently and logged as SPOOFING, docs/PROTOCOL.md section 4.2).
   */
  record Expected(ErrorCode code, String message) {
    static Expected badEnvelope(String reason) {
      return new Expected(ErrorCode.BAD_ENVELOPE, "envelope rejected: " + reason);
    }

    static Expected silentDrop() {
      return new Expected(null, null);
    }

    boolean silent() {
      return code == null;
    }
  }

  /** Label of the v2 entry whose sender is not the connection's identity. */
  static final String V2_SPOOFED = "v2 spoofed sender";

  /** The corpus for a relay with the default {@code maxFrame}. */
  static Map<String, byte[]> entries() {
    return entries(ProtocolLimits.DEFAULT_MAX_FRAME);
  }

  /** The corpus for a relay that announced {@code maxFrame}. */
  static Map<String, byte[]> entries(int maxFrame) {
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
    c.put("v1 layout with version byte 2", send(withVersion(2)));
    c.put("envelope truncated", send(Arrays.copyOf(valid(), valid().length - 40)));
    c.put("envelope trailing bytes", send(concat(valid(), new byte[] {0})));
    c.put("envelope huge ciphertext length", send(hugeCiphertextLength()));
    c.put("envelope bad sender name", send(rawHeader("ALICE!", "carol")));
    c.put(
        "publish garbage certificate",
        json("{\"type\":\"publish\",\"encryption\":\"-----BEGIN CERTIFICATE-----\\nAAAA\\n\"}"));
    for (Map.Entry<String, byte[]> v2 : v2Envelopes(maxFrame).entrySet()) {
      c.put(v2.getKey(), binarySend(v2.getValue()));
    }
    return c;
  }

  /**
   * The v2 entries of {@link #entries(int)} and what the relay must answer to each (docs/v2/
   * envelope.md sections 2.3 and 3.1): a prefix cut short, a body length past the end, an empty
   * body, an empty signature, a signature length past the end, an envelope over {@code
   * maxEnvelope(maxFrame)}, a trailing byte, an unknown version byte, and a spoofed sender.
   */
  static Map<String, Expected> v2Expectations(int maxFrame) {
    int tooLarge = ProtocolLimits.maxEnvelopeBytes(maxFrame) + 1;
    Map<String, Expected> e = new LinkedHashMap<>();
    e.put("v2 truncated prefix", Expected.badEnvelope("envelope is truncated"));
    e.put(
        "v2 body length past the end", Expected.badEnvelope("body length 4096 runs past the end"));
    e.put("v2 empty body", Expected.badEnvelope("the body is empty"));
    e.put("v2 empty signature", Expected.badEnvelope("signature is empty"));
    e.put("v2 signature length past the end", Expected.badEnvelope("envelope is truncated"));
    e.put(
        "v2 over maxEnvelope",
        Expected.badEnvelope(
            tooLarge
                + " bytes is more than the "
                + (tooLarge - 1)
                + " this relay can deliver to every client"));
    e.put("v2 trailing byte", Expected.badEnvelope("1 unexpected bytes after the signature"));
    e.put(
        "v2 unknown version byte",
        Expected.badEnvelope("unsupported envelope version 3 (known versions: 1, 2)"));
    e.put(V2_SPOOFED, Expected.silentDrop());
    return e;
  }

  /** The envelopes of {@link #v2Expectations}, sent by alice, in the same order. */
  private static Map<String, byte[]> v2Envelopes(int maxFrame) {
    byte[] prefix = v2Prefix(2, "alice");
    byte[] body = Envelopes.random(64);
    byte[] signature = Envelopes.random(71);
    byte[] bigBody =
        Envelopes.random(
            ProtocolLimits.maxEnvelopeBytes(maxFrame)
                + 1
                - prefix.length
                - 4
                - 2
                - signature.length);
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("v2 truncated prefix", Arrays.copyOf(prefix, prefix.length - 9));
    m.put("v2 body length past the end", v2(prefix, 4096, body, signature.length, signature));
    m.put("v2 empty body", v2(prefix, 0, new byte[0], signature.length, signature));
    m.put("v2 empty signature", v2(prefix, body.length, body, 0, new byte[0]));
    m.put("v2 signature length past the end", v2(prefix, body.length, body, 0xffff, signature));
    m.put("v2 over maxEnvelope", v2(prefix, bigBody.length, bigBody, signature.length, signature));
    m.put(
        "v2 trailing byte",
        concat(v2(prefix, body.length, body, signature.length, signature), new byte[] {0}));
    m.put(
        "v2 unknown version byte",
        v2(v2Prefix(3, "alice"), body.length, body, signature.length, signature));
    m.put(V2_SPOOFED, v2(v2Prefix(2, "bob"), body.length, body, signature.length, signature));
    return m;
  }

  /** A v2 routing prefix from {@code sender} to carol, dated now (docs/v2/envelope.md 2.1). */
  private static byte[] v2Prefix(int version, String sender) {
    byte[] p =
        V2Envelope.encodePrefix(
            new RoutingPrefix(
                2, sender, List.of("carol"), System.currentTimeMillis(), Envelopes.random(16)));
    p[0] = (byte) version;
    return p;
  }

  /** {@code prefix | u32 bodyLength | body | u16 sigLength | signature}, lengths as given. */
  private static byte[] v2(
      byte[] prefix, int bodyLength, byte[] body, int sigLength, byte[] signature) {
    ByteBuffer b = ByteBuffer.allocate(prefix.length + 4 + body.length + 2 + signature.length);
    b.put(prefix).putInt(bodyLength).put(body).putShort((short) sigLength).put(signature);
    return b.array();
  }

  /** A binary {@code send} with ref {@code m} (docs/v2/envelope.md 4.1). */
  private static byte[] binarySend(byte[] envelope) {
    return frame(concat(new byte[] {(byte) 0xff, 1, 1, 'm'}, envelope));
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
