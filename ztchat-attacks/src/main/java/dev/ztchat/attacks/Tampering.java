package dev.ztchat.attacks;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.WrappedKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The changes a hostile relay makes to an envelope in flight, one per header field and per
 * cryptographic field, plus truncation. Each takes the genuine bytes and returns altered bytes.
 */
final class Tampering {
  private Tampering() {}

  /** Label → change, in a fixed order. */
  static Map<String, UnaryOperator<byte[]>> variants() {
    Map<String, UnaryOperator<byte[]>> v = new LinkedHashMap<>();
    v.put(
        "sender -> carol",
        b ->
            header(
                b,
                h ->
                    new EnvelopeHeader(
                        h.version(), "carol", h.recipients(), h.timestampMillis(), h.messageId())));
    v.put(
        "sender -> mallory",
        b ->
            header(
                b,
                h ->
                    new EnvelopeHeader(
                        h.version(),
                        "mallory",
                        h.recipients(),
                        h.timestampMillis(),
                        h.messageId())));
    v.put(
        "recipient added",
        b ->
            header(
                b,
                h ->
                    new EnvelopeHeader(
                        h.version(),
                        h.sender(),
                        plus(h.recipients(), "carol"),
                        h.timestampMillis(),
                        h.messageId())));
    v.put(
        "recipient -> carol",
        b ->
            header(
                b,
                h ->
                    new EnvelopeHeader(
                        h.version(),
                        h.sender(),
                        List.of("carol"),
                        h.timestampMillis(),
                        h.messageId())));
    v.put(
        "timestamp -1 s",
        b ->
            header(
                b,
                h ->
                    new EnvelopeHeader(
                        h.version(),
                        h.sender(),
                        h.recipients(),
                        h.timestampMillis() - 1000,
                        h.messageId())));
    v.put(
        "message id",
        b ->
            header(
                b,
                h ->
                    new EnvelopeHeader(
                        h.version(),
                        h.sender(),
                        h.recipients(),
                        h.timestampMillis(),
                        flip(h.messageId()))));
    v.put(
        "nonce",
        b ->
            parts(
                b,
                e ->
                    new SealedEnvelope(
                        e.header(), e.keys(), flip(e.nonce()), e.ciphertext(), e.signature())));
    v.put(
        "ciphertext",
        b ->
            parts(
                b,
                e ->
                    new SealedEnvelope(
                        e.header(), e.keys(), e.nonce(), flip(e.ciphertext()), e.signature())));
    v.put(
        "GCM tag",
        b ->
            parts(
                b,
                e ->
                    new SealedEnvelope(
                        e.header(), e.keys(), e.nonce(), flipLast(e.ciphertext()), e.signature())));
    v.put(
        "wrapped key",
        b ->
            parts(
                b,
                e ->
                    new SealedEnvelope(
                        e.header(),
                        keys(e, k -> new WrappedKey(k.recipient(), k.keyId(), flip(k.wrapped()))),
                        e.nonce(),
                        e.ciphertext(),
                        e.signature())));
    v.put(
        "key id",
        b ->
            parts(
                b,
                e ->
                    new SealedEnvelope(
                        e.header(),
                        keys(e, k -> new WrappedKey(k.recipient(), flip(k.keyId()), k.wrapped())),
                        e.nonce(),
                        e.ciphertext(),
                        e.signature())));
    v.put(
        "signature",
        b ->
            parts(
                b,
                e ->
                    new SealedEnvelope(
                        e.header(), e.keys(), e.nonce(), e.ciphertext(), flip(e.signature()))));
    v.put(
        "ciphertext shortened",
        b ->
            parts(
                b,
                e ->
                    new SealedEnvelope(
                        e.header(),
                        e.keys(),
                        e.nonce(),
                        Arrays.copyOf(e.ciphertext(), e.ciphertext().length - 1),
                        e.signature())));
    v.put("truncated by 1 byte", b -> Arrays.copyOf(b, b.length - 1));
    v.put("truncated to the header", b -> Arrays.copyOf(b, 40));
    return v;
  }

  private interface EnvelopeChange {
    SealedEnvelope apply(SealedEnvelope e);
  }

  private static byte[] parts(byte[] bytes, EnvelopeChange change) {
    try {
      return EnvelopeCodec.encode(change.apply(EnvelopeCodec.decode(bytes)));
    } catch (MalformedEnvelopeException e) {
      throw new IllegalStateException("the captured envelope does not parse", e);
    }
  }

  private static byte[] header(byte[] bytes, UnaryOperator<EnvelopeHeader> change) {
    return parts(
        bytes,
        e ->
            new SealedEnvelope(
                change.apply(e.header()), e.keys(), e.nonce(), e.ciphertext(), e.signature()));
  }

  private static List<WrappedKey> keys(SealedEnvelope e, UnaryOperator<WrappedKey> change) {
    return e.keys().stream().map(change).toList();
  }

  private static List<String> plus(List<String> names, String extra) {
    List<String> out = new ArrayList<>(names);
    out.add(extra);
    return out;
  }

  private static byte[] flip(byte[] b) {
    byte[] c = b.clone();
    c[c.length / 2] ^= 0x01;
    return c;
  }

  private static byte[] flipLast(byte[] b) {
    byte[] c = b.clone();
    c[c.length - 1] ^= (byte) 0x80;
    return c;
  }
}
