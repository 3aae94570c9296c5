package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.UserIdentity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the known-answer vector of docs/PROTOCOL.md section 8 against the code, and against plain
 * JCA calls written out here independently of {@link EnvelopeAlgorithms}.
 */
class TestVectorTest {
  private static final HexFormat HEX = HexFormat.of();
  private static TestVector v;
  private static UserIdentity alice;
  private static UserIdentity bob;
  private static X509Certificate ca;

  @BeforeAll
  static void load() throws Exception {
    v = TestVector.load();
    alice = TestVector.user("alice");
    bob = TestVector.user("bob");
    ca = TestVector.caCertificate();
  }

  private EnvelopeHeader header() {
    return new EnvelopeHeader(
        EnvelopeHeader.VERSION,
        v.string("sender"),
        List.of(v.string("recipient")),
        v.number("timestamp_ms"),
        v.hex("message_id_hex"));
  }

  @Test
  void content_encodesToTheVectorBytes() {
    assertThat(HEX.formatHex(MessageContent.text(v.string("plaintext_text")).encode()))
        .isEqualTo(v.string("content_hex"));
  }

  @Test
  void headerBytes_areTheVectorAad() {
    assertThat(HEX.formatHex(EnvelopeCodec.encodeHeader(header())))
        .isEqualTo(v.string("header_hex"));
  }

  @Test
  void ciphertext_isAesGcmOfContentWithHeaderAsAad_computedWithPlainJca() throws Exception {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(v.hex("content_key_hex"), "AES"),
        new GCMParameterSpec(128, v.hex("nonce_hex")));
    gcm.updateAAD(v.hex("header_hex"));

    assertThat(HEX.formatHex(gcm.doFinal(v.hex("content_hex"))))
        .isEqualTo(v.string("ciphertext_hex"));
  }

  @Test
  void sealerWithTheVectorInputs_reproducesHeaderAndCiphertext() {
    SealedEnvelope e =
        new RsaOaepAesGcmSealer(alice, Clock.systemUTC())
            .sealPlaintext(
                v.hex("content_hex"),
                List.of(RecipientKey.of(bob.encryption().certificate())),
                v.hex("content_key_hex"),
                v.hex("nonce_hex"),
                v.hex("message_id_hex"),
                v.number("timestamp_ms"));

    assertThat(HEX.formatHex(EnvelopeCodec.encodeHeader(e.header())))
        .isEqualTo(v.string("header_hex"));
    assertThat(HEX.formatHex(e.ciphertext())).isEqualTo(v.string("ciphertext_hex"));
    assertThat(HEX.formatHex(e.keys().get(0).keyId())).isEqualTo(v.string("key_id_hex"));
  }

  @Test
  void vectorEnvelope_decodesIntoTheVectorParts() throws Exception {
    SealedEnvelope e = EnvelopeCodec.decode(v.hex("envelope_hex"));

    assertThat(e.header()).isEqualTo(header());
    assertThat(HEX.formatHex(e.nonce())).isEqualTo(v.string("nonce_hex"));
    assertThat(HEX.formatHex(e.ciphertext())).isEqualTo(v.string("ciphertext_hex"));
    assertThat(e.keys())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.recipient()).isEqualTo("bob");
              assertThat(k.keyId()).isEqualTo(Certificates.sha256(bob.encryption().certificate()));
            });
    assertThat(HEX.formatHex(EnvelopeCodec.encode(e))).isEqualTo(v.string("envelope_hex"));
  }

  @Test
  void vectorEnvelope_wrappedKeyAndSignature_checkOutWithPlainJca() throws Exception {
    SealedEnvelope e = EnvelopeCodec.decode(v.hex("envelope_hex"));
    Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
    oaep.init(
        Cipher.DECRYPT_MODE,
        bob.encryption().privateKey(),
        new OAEPParameterSpec(
            "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
    Signature pss = Signature.getInstance("RSASSA-PSS");
    pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
    pss.initVerify(alice.signing().certificate().getPublicKey());
    pss.update(EnvelopeCodec.signedBytes(e));

    assertThat(HEX.formatHex(oaep.doFinal(e.keys().get(0).wrapped())))
        .isEqualTo(v.string("content_key_hex"));
    assertThat(pss.verify(e.signature())).isTrue();
  }

  @Test
  void vectorEnvelope_opensForBobAtTheVectorTime() throws Exception {
    RsaOaepAesGcmOpener opener = opener(Instant.ofEpochMilli(v.number("open_at_ms")));

    OpenedMessage m = opener.open(EnvelopeCodec.decode(v.hex("envelope_hex")));

    assertThat(m.sender()).isEqualTo("alice");
    assertThat(m.recipients()).containsExactly("bob");
    assertThat(m.timestamp().toEpochMilli()).isEqualTo(v.number("timestamp_ms"));
    assertThat(m.messageIdHex()).isEqualTo(v.string("message_id_hex"));
    assertThat(m.kind()).isEqualTo(ContentKind.TEXT);
    assertThat(m.text()).isEqualTo(v.string("plaintext_text"));
  }

  @Test
  void vectorEnvelope_secondOpen_isReplay_andAfterTheWindow_isStale() throws Exception {
    SealedEnvelope e = EnvelopeCodec.decode(v.hex("envelope_hex"));
    RsaOaepAesGcmOpener atVectorTime = opener(Instant.ofEpochMilli(v.number("open_at_ms")));
    atVectorTime.open(e);
    // a five-minute window, so the vector's certificates are still valid at its end
    Instant windowEnd = Instant.parse("2026-01-01T00:05:00Z");

    assertThat(Fixtures.rejection(atVectorTime, e)).isEqualTo(RejectionReason.REPLAY);
    assertThat(opener(windowEnd).open(e).text()).isEqualTo(v.string("plaintext_text"));
    assertThat(Fixtures.rejection(opener(windowEnd.plusMillis(1)), e))
        .isEqualTo(RejectionReason.STALE);
  }

  private static final AcceptancePolicy FIVE_MINUTES =
      AcceptancePolicy.ofWindow(Duration.ofMinutes(5));

  private static RsaOaepAesGcmOpener opener(Instant now) {
    Clock at = Clock.fixed(now, ZoneOffset.UTC);
    return new RsaOaepAesGcmOpener(
        bob,
        new CertificateVerifier(ca),
        name -> name.equals("alice") ? alice.signing().certificate() : null,
        ReplayGuard.inMemory(FIVE_MINUTES, at),
        at,
        FIVE_MINUTES);
  }

  @Test
  void protocolDocument_showsTheSameVectorValues() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "PROTOCOL.md"), StandardCharsets.UTF_8);
    assertThat(doc).contains("## 8. Test vector");
    String section8 = doc.substring(doc.indexOf("## 8. Test vector")).replaceAll("\\s+", "");

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
      assertThat(section8).as(name).contains(v.string(name));
    }
    assertThat(doc).contains(v.string("plaintext_text"));
  }

  @Test
  void protocolDocument_publishesEveryVectorKeyAndCertificate_markedAsTestVectorKeys()
      throws Exception {
    String section8 = TestVector.section8();
    assertThat(section8).contains("### 8.1 Vector keys and certificates");
    for (String user : List.of("alice", "bob")) {
      for (String role : List.of("signing", "encryption")) {
        String key = TestVector.fileName(user, role, "key");
        assertThat(section8)
            .contains(
                "`"
                    + key
                    + "`: "
                    + user
                    + "'s "
                    + role
                    + " private key (PKCS#8), a TEST VECTOR key:");
        // each published key belongs to its published certificate
        Signature s = Signature.getInstance("SHA256withRSA");
        UserIdentity id = user.equals("alice") ? alice : bob;
        s.initSign((role.equals("signing") ? id.signing() : id.encryption()).privateKey());
        s.update(key.getBytes(StandardCharsets.US_ASCII));
        byte[] sig = s.sign();
        s.initVerify(TestVector.certificate(user, role).getPublicKey());
        s.update(key.getBytes(StandardCharsets.US_ASCII));
        assertThat(s.verify(sig)).as(key).isTrue();
      }
    }
    assertThat(ca.getSubjectX500Principal().getName())
        .contains("ztchat TEST VECTOR root CA - never trust");
  }

  @Test
  void vectorKeysAndCertificates_liveOnlyInTheDocument() throws Exception {
    try (var files = Files.list(TestVector.DIR)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactly("test-vector-envelope.properties");
    }
  }
}
