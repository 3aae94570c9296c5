package dev.ztchat.core.conversation;

import dev.ztchat.core.envelope.V2Envelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Made the section 10 vector of docs/v2/messages.md once (ECDSA signatures are randomized, so
 * running it again gives another, equally valid vector). Run with {@code
 * -Dztchat.generateMessageVector=true}; it writes target/message-vector.md.
 */
@EnabledIfSystemProperty(named = "ztchat.generateMessageVector", matches = "true")
class MessageVectorGenerator {
  private final StringBuilder out = new StringBuilder();

  @Test
  void generate() throws Exception {
    String inputs =
        """
        msg1_timestamp_ms = 0000019b76daa800
        msg1_message_id = 000102030405060708090a0b0c0d0e0f
        msg1_content_key = c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf
        msg1_nonce = e0e1e2e3e4e5e6e7e8e9eaeb
        alice_ratchet_private_1 = 5051525354555657585a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70
        bob_ratchet_private_1 = 7071727374757677787a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90
        msg2_timestamp_ms = 0000019b76db9260
        msg2_message_id = 101112131415161718191a1b1c1d1e1f
        msg2_content_key = 2021222324252627282a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40
        msg2_nonce = f0f1f2f3f4f5f6f7f8f9fafb
        alice_ratchet_private_2 = 9091929394959697989a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0
        msg3_timestamp_ms = 0000019b76dc7cc0
        msg3_message_id = 202122232425262728292a2b2c2d2e2f
        msg3_content_key = 4041424344454647484a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60
        msg3_nonce = 0102030405060708090a0b0c
        bob_ratchet_private_2 = b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0
        """;
    String texts =
        MessageVector.line("msg1_text", "hello bob".getBytes(StandardCharsets.UTF_8))
            + MessageVector.line("msg2_text", "hello alice".getBytes(StandardCharsets.UTF_8))
            + MessageVector.line("msg3_text", "how are you?".getBytes(StandardCharsets.UTF_8));
    Path draft = Path.of("target", "message-vector-inputs.md");
    Files.writeString(draft, "## 10. Test vector\n\n```\n" + inputs + texts + "```\n");
    MessageVector v = MessageVector.withInputs(draft);
    MessageVectorFlow flow = new MessageVectorFlow(v);

    MessageVectorFlow.First m1 = flow.first();
    byte[] signature1 = flow.alice.signEnvelope(m1.signedBytes(), new SecureRandom());
    V2Envelope e1 = new V2Envelope(m1.prefix(), m1.body(), signature1);
    put("session_id", m1.sessionId());
    put("msg1_prefix", V2Envelope.encodePrefix(m1.prefix()));
    put("msg1_commitment", m1.commitment());
    put("msg1_ratchet_plaintext", m1.ratchetPlaintext());
    put("msg1_ratchet_extra_ad", m1.ratchetExtraAd());
    put("msg1_ratchet_message", m1.ratchetMessage());
    put("msg1_content_plaintext", m1.contentPlaintext());
    put("msg1_content_aad", m1.contentAad());
    put("msg1_ciphertext", m1.ciphertext());
    put("msg1_body", m1.body());
    put("msg1_signed_bytes", m1.signedBytes());
    put("msg1_signature", signature1);
    put("msg1_envelope", e1.encode());
    flow.open(flow.bobDevice, e1, v.hex("bob_ratchet_private_1"));

    V2Envelope e2 = flow.seal(2, flow.bobDevice, flow.alice);
    message(2, flow, e2, flow.aliceStore, "bob", flow.alice, v.hex("alice_ratchet_private_2"));
    flow.open(flow.aliceDevice, e2, v.hex("alice_ratchet_private_2"));

    V2Envelope e3 = flow.seal(3, flow.aliceDevice, flow.bob);
    message(3, flow, e3, flow.bobStore, "alice", flow.bob, v.hex("bob_ratchet_private_2"));
    flow.open(flow.bobDevice, e3, v.hex("bob_ratchet_private_2"));

    Files.writeString(
        Path.of("target", "message-vector.md"),
        "Inputs:\n\n```\n" + inputs + texts + "```\n\nValues:\n\n```\n" + out + "```\n",
        StandardCharsets.UTF_8);
  }

  private void message(
      int n,
      MessageVectorFlow flow,
      V2Envelope e,
      InMemorySessionStore receiverStore,
      String sender,
      dev.ztchat.core.session.DeviceKey receiver,
      byte[]... randomness)
      throws Exception {
    V2Body body = V2Body.decode(e.body(), e.prefix());
    byte[] encodedPrefix = V2Envelope.encodePrefix(e.prefix());
    byte[] plaintext =
        flow.ratchetPlaintext(receiverStore, sender, e, receiver.certificateHash(), randomness);
    String m = "msg" + n;
    put(m + "_prefix", encodedPrefix);
    put(m + "_ratchet_plaintext", plaintext);
    put(
        m + "_ratchet_extra_ad",
        V2Crypto.ratchetExtraAd(
            encodedPrefix,
            body.senderDevice(),
            receiver.certificateHash(),
            body.entries().get(0).sessionId()));
    put(m + "_ratchet_message", body.entries().get(0).ratchetMessage());
    put(m + "_ciphertext", body.ciphertext());
    put(m + "_body", e.body());
    put(m + "_signed_bytes", e.signedBytes());
    put(m + "_signature", e.signature());
    put(m + "_envelope", e.encode());
  }

  private void put(String name, byte[] value) {
    out.append(MessageVector.line(name, value));
  }
}
