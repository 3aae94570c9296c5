package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.V2Envelope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Section 10 of docs/v2/messages.md, read from the document: every published value is reproduced
 * byte for byte (the content with plain JCA, the first message step by step, the reply and the
 * third message by the real sealer), the ECDSA signatures, which are randomized, verify, and the
 * real opener opens every published envelope.
 */
class MessageVectorTest {
  private MessageVector v;
  private MessageVectorFlow flow;

  @BeforeEach
  void load() throws Exception {
    v = MessageVector.load();
    flow = new MessageVectorFlow(v);
  }

  @Test
  void sessionId_isTheLabelledSha256OfAd_cutTo16Bytes() throws Exception {
    byte[] label = "ztchat v2 session id".getBytes(StandardCharsets.US_ASCII);
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    sha256.update(label);
    byte[] expected = Arrays.copyOf(sha256.digest(v.hex("ad")), 16);

    assertThat(v.hex("session_id")).isEqualTo(expected);
  }

  @Test
  void firstMessage_everyPartFollowsFromTheInputs_byteForByte() throws Exception {
    MessageVectorFlow.First m = flow.first();

    assertThat(m.sessionId()).isEqualTo(v.hex("session_id"));
    assertThat(V2Envelope.encodePrefix(m.prefix())).isEqualTo(v.hex("msg1_prefix"));
    assertThat(m.commitment()).isEqualTo(v.hex("msg1_commitment"));
    assertThat(m.ratchetPlaintext()).isEqualTo(v.hex("msg1_ratchet_plaintext"));
    assertThat(m.ratchetExtraAd()).isEqualTo(v.hex("msg1_ratchet_extra_ad"));
    assertThat(m.ratchetMessage()).isEqualTo(v.hex("msg1_ratchet_message"));
    assertThat(m.contentPlaintext()).isEqualTo(v.hex("msg1_content_plaintext"));
    assertThat(m.contentAad()).isEqualTo(v.hex("msg1_content_aad"));
    assertThat(m.ciphertext()).isEqualTo(v.hex("msg1_ciphertext"));
    assertThat(m.body()).isEqualTo(v.hex("msg1_body"));
    assertThat(m.signedBytes()).isEqualTo(v.hex("msg1_signed_bytes"));
  }

  @Test
  void contentCiphertexts_areAesGcmOfTheContent_withPlainJca() throws Exception {
    for (int n = 1; n <= 3; n++) {
      V2Envelope e = V2Envelope.decode(v.hex("msg" + n + "_envelope"));
      V2Body body = V2Body.decode(e.body(), e.prefix());
      byte[] content = concat(new byte[] {1}, v.hex("msg" + n + "_text"));
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(v.hex("msg" + n + "_content_key"), "AES"),
          new GCMParameterSpec(128, v.hex("msg" + n + "_nonce")));
      gcm.updateAAD(concat(v.hex("msg" + n + "_prefix"), body.senderDevice()));

      assertThat(gcm.doFinal(content)).as("message %d", n).isEqualTo(body.ciphertext());
      assertThat(body.ciphertext()).isEqualTo(v.hex("msg" + n + "_ciphertext"));
    }
  }

  @Test
  void envelopes_areTheSignedBytesAndAVerifyingSignature() throws Exception {
    String[] senders = {"alice", "bob", "alice"};
    for (int n = 1; n <= 3; n++) {
      byte[] signed = v.hex("msg" + n + "_signed_bytes");
      byte[] signature = v.hex("msg" + n + "_signature");
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initVerify(v.device(senders[n - 1]).certificate());
      ecdsa.update(signed);

      assertThat(ecdsa.verify(signature)).as("message %d", n).isTrue();
      assertThat(v.hex("msg" + n + "_envelope"))
          .isEqualTo(concat(signed, new byte[] {0, (byte) signature.length}, signature));
      assertThat(signed)
          .isEqualTo(
              V2Envelope.signedBytes(
                  V2Envelope.decode(v.hex("msg" + n + "_envelope")).prefix(),
                  v.hex("msg" + n + "_body")));
    }
  }

  @Test
  void conversation_theSealerMakesReplyAndThird_andTheOpenerOpensEveryMessage() throws Exception {
    flow.first();
    V2Envelope e1 = V2Envelope.decode(v.hex("msg1_envelope"));
    assertThat(flow.open(flow.bobDevice, e1, v.hex("bob_ratchet_private_1")).text())
        .isEqualTo("hello bob");

    V2Envelope e2 = flow.seal(2, flow.bobDevice, flow.alice);
    assertThat(V2Envelope.encodePrefix(e2.prefix())).isEqualTo(v.hex("msg2_prefix"));
    assertThat(e2.body()).isEqualTo(v.hex("msg2_body"));
    V2Envelope published2 = V2Envelope.decode(v.hex("msg2_envelope"));
    assertThat(
            flow.ratchetPlaintext(
                flow.aliceStore,
                "bob",
                published2,
                flow.alice.certificateHash(),
                v.hex("alice_ratchet_private_2")))
        .isEqualTo(v.hex("msg2_ratchet_plaintext"))
        .startsWith(concat(new byte[] {1}, v.hex("msg2_content_key")));
    assertThat(flow.open(flow.aliceDevice, published2, v.hex("alice_ratchet_private_2")).text())
        .isEqualTo("hello alice");

    V2Envelope e3 = flow.seal(3, flow.aliceDevice, flow.bob);
    assertThat(V2Envelope.encodePrefix(e3.prefix())).isEqualTo(v.hex("msg3_prefix"));
    assertThat(e3.body()).isEqualTo(v.hex("msg3_body"));
    V2Envelope published3 = V2Envelope.decode(v.hex("msg3_envelope"));
    assertThat(
            flow.ratchetPlaintext(
                flow.bobStore,
                "alice",
                published3,
                flow.bob.certificateHash(),
                v.hex("bob_ratchet_private_2")))
        .isEqualTo(v.hex("msg3_ratchet_plaintext"))
        .startsWith(concat(new byte[] {1}, v.hex("msg3_content_key")));
    assertThat(flow.open(flow.bobDevice, published3, v.hex("bob_ratchet_private_2")).text())
        .isEqualTo("how are you?");
  }

  private static byte[] concat(byte[]... parts) {
    return V2Crypto.concat(parts);
  }
}
