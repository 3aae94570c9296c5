package dev.ztchat.core.envelope;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.UserIdentity;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Made the test vector, once. It does not run in the normal build: the vector must stay fixed. To
 * make a new one (for a new protocol version), run {@code ./mvnw -o -q test -pl ztchat-core
 * -Dtest=TestVectorGenerator -Dztchat.generateTestVector=true} and paste {@code
 * target/test-vector-section.md} into docs/PROTOCOL.md section 8 (the values) and 8.1 (the keys and
 * certificates, which live only there).
 */
class TestVectorGenerator {
  static final Instant NOT_BEFORE = Instant.parse("2025-12-01T00:00:00Z");
  static final Duration VALIDITY = Duration.ofDays(3650);
  static final long TIMESTAMP_MS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  static final long OPEN_AT_MS = TIMESTAMP_MS + 1500;
  static final String TEXT = "Hi Bob! This is the ztchat test vector. Grüße, Alice";

  private static final HexFormat HEX = HexFormat.of();

  @Test
  @EnabledIfSystemProperty(named = "ztchat.generateTestVector", matches = "true")
  void generate() throws Exception {
    Credential ca =
        CertificateIssuer.createRootCa(
            "ztchat TEST VECTOR root CA - never trust", 2048, NOT_BEFORE, VALIDITY);
    UserIdentity alice = CertificateIssuer.issueUser(ca, "alice", 2048, NOT_BEFORE, VALIDITY);
    UserIdentity bob = CertificateIssuer.issueUser(ca, "bob", 2048, NOT_BEFORE, VALIDITY);
    Files.createDirectories(TestVector.DIR);
    StringBuilder keys = new StringBuilder();
    pemBlock(
        keys, "test-vector-ca.crt", "the root CA certificate", PemFiles.toPem(ca.certificate()));
    for (UserIdentity u : List.of(alice, bob)) {
      credentialBlocks(keys, u.name(), "signing", u.signing());
      credentialBlocks(keys, u.name(), "encryption", u.encryption());
    }

    byte[] contentKey =
        HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    byte[] nonce = HEX.parseHex("a0a1a2a3a4a5a6a7a8a9aaab");
    byte[] messageId = HEX.parseHex("f0e1d2c3b4a5968778695a4b3c2d1e0f");
    byte[] content = MessageContent.text(TEXT).encode();
    SealedEnvelope e =
        new RsaOaepAesGcmSealer(alice, Clock.systemUTC())
            .sealPlaintext(
                content,
                List.of(RecipientKey.of(bob.encryption().certificate())),
                contentKey,
                nonce,
                messageId,
                TIMESTAMP_MS);

    Properties p = new Properties();
    p.setProperty("sender", "alice");
    p.setProperty("recipient", "bob");
    p.setProperty("plaintext_text", TEXT);
    p.setProperty("content_hex", HEX.formatHex(content));
    p.setProperty("content_key_hex", HEX.formatHex(contentKey));
    p.setProperty("nonce_hex", HEX.formatHex(nonce));
    p.setProperty("message_id_hex", HEX.formatHex(messageId));
    p.setProperty("timestamp_ms", Long.toString(TIMESTAMP_MS));
    p.setProperty("open_at_ms", Long.toString(OPEN_AT_MS));
    p.setProperty("key_id_hex", HEX.formatHex(e.keys().get(0).keyId()));
    p.setProperty("header_hex", HEX.formatHex(EnvelopeCodec.encodeHeader(e.header())));
    p.setProperty("ciphertext_hex", HEX.formatHex(e.ciphertext()));
    p.setProperty("envelope_hex", HEX.formatHex(EnvelopeCodec.encode(e)));
    try (Writer w = Files.newBufferedWriter(TestVector.VALUES, StandardCharsets.UTF_8)) {
      p.store(w, "TEST VECTOR for docs/PROTOCOL.md section 8 (made by TestVectorGenerator)");
    }
    Files.writeString(
        Path.of("target", "test-vector-section.md"), markdown(p) + keys, StandardCharsets.UTF_8);
  }

  private static void credentialBlocks(StringBuilder b, String name, String role, Credential c) {
    pemBlock(
        b,
        TestVector.fileName(name, role, "crt"),
        name + "'s " + role + " certificate",
        PemFiles.toPem(c.certificate()));
    String key =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(c.privateKey().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    pemBlock(
        b,
        TestVector.fileName(name, role, "key"),
        name + "'s " + role + " private key (PKCS#8), a TEST VECTOR key",
        key);
  }

  private static void pemBlock(StringBuilder b, String fileName, String what, String pem) {
    b.append('`')
        .append(fileName)
        .append("`: ")
        .append(what)
        .append(":\n\n```\n")
        .append(pem.strip())
        .append("\n```\n\n");
  }

  private static String markdown(Properties p) {
    StringBuilder b = new StringBuilder();
    for (String name :
        List.of(
            "content_key_hex",
            "nonce_hex",
            "message_id_hex",
            "timestamp_ms",
            "content_hex",
            "key_id_hex",
            "header_hex",
            "ciphertext_hex",
            "envelope_hex")) {
      b.append(name).append(":\n\n```\n");
      String v = p.getProperty(name);
      for (int i = 0; i < v.length(); i += 64) {
        b.append(v, i, Math.min(v.length(), i + 64)).append('\n');
      }
      b.append("```\n\n");
    }
    return b.toString();
  }
}
