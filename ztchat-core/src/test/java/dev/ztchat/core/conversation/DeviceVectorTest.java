package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.EnvelopeRejectedException;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.session.DeviceKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks the vector of docs/v2/devices.md section 8, read from the document: the certificates of
 * named devices and their ids, the sessions, and a message sealed to every device of its recipient
 * and to the sender's other device, as the sealer makes it, the relay's {@code send} carries it and
 * each device opens it.
 */
class DeviceVectorTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final Map<String, String> NAMES =
      Map.of(
          "alice_laptop", "laptop",
          "alice_phone", "phone",
          "bob_laptop", "laptop",
          "bob_phone", "phone",
          "carol", "default");

  @Test
  void deviceCertificates_carryTheDocumentedNamesAndIds_andChainToTheVectorCa() throws Exception {
    DeviceVector v = DeviceVector.load();
    Instant at = Instant.ofEpochMilli(v.number("m1_timestamp_ms"));
    for (String d : DeviceVector.DEVICES) {
      X509Certificate cert = v.certificate(d);
      String person = DeviceVector.person(d);

      assertThat(cert.getSubjectX500Principal().getEncoded())
          .as(d + " subject")
          .isEqualTo(v.hex(d + "_subject"));
      assertThat(Certificates.commonName(cert)).isEqualTo(person);
      assertThat(Certificates.deviceName(cert)).as(d).isEqualTo(NAMES.get(d));
      assertThat(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()))
          .as(d + " device id")
          .isEqualTo(v.hex(d + "_device_id"));
      new CertificateVerifier(v.ca()).verify(cert, person, CertificateRole.DEVICE, at);
      DeviceKey key = v.key(d);
      byte[] signed = v.hex("m1_prefix");
      assertThat(
              DeviceKey.verifyEnvelope(cert, signed, key.signEnvelope(signed, new SecureRandom())))
          .as(d + "'s published private key is its certificate's")
          .isTrue();
    }
    assertThat(v.certificate("alice_laptop").getSubjectX500Principal().getName())
        .isEqualTo("CN=alice,OU=laptop,O=ztchat");
  }

  @Test
  void sessions_haveTheDocumentedIds() throws Exception {
    DeviceVector v = DeviceVector.load();
    for (String t : DeviceVector.SESSIONS) {
      assertThat(V2Crypto.sessionId(v.hex("session_" + t + "_ad")))
          .as(t)
          .isEqualTo(v.hex(DeviceVectorFlow.sessionIdName(t)));
    }
  }

  @Test
  void aMessageToEveryDevice_sealsToTheDocumentedBytes_andOpensOnEachDeviceOnce() throws Exception {
    DeviceVectorFlow flow = new DeviceVectorFlow(DeviceVector.load());
    DeviceVector v = flow.v;

    V2Envelope sealed = flow.seal("m1");
    Map<String, byte[]> values = flow.values("m1", sealed);
    for (Map.Entry<String, byte[]> e : values.entrySet()) {
      assertThat(HEX.formatHex(e.getValue()))
          .as(e.getKey())
          .isEqualTo(HEX.formatHex(v.hex(e.getKey())));
    }
    V2Envelope documented = V2Envelope.decode(v.hex("m1_envelope"));
    assertThat(documented.signature()).isEqualTo(v.hex("m1_signature"));
    assertThat(documented.signedBytes()).isEqualTo(v.hex("m1_signed_bytes"));
    assertThat(new V2Envelope(sealed.prefix(), sealed.body(), v.hex("m1_signature")).encode())
        .isEqualTo(v.hex("m1_envelope"));
    assertThat(
            DeviceKey.verifyEnvelope(
                v.certificate(DeviceVector.SENDER),
                v.hex("m1_signed_bytes"),
                v.hex("m1_signature")))
        .isTrue();

    for (String t : DeviceVectorFlow.TARGETS.get("m1")) {
      OpenedMessage opened = flow.open(t, v.hex("m1_envelope"));
      assertThat(opened.sender()).isEqualTo("alice");
      assertThat(opened.recipients()).containsExactly("bob", "alice");
      assertThat(opened.text()).as(t).isEqualTo(flow.text("m1_text"));
    }
  }

  @Test
  void aTamperedEnvelope_opensOnNoDevice() throws Exception {
    DeviceVectorFlow flow = new DeviceVectorFlow(DeviceVector.load());
    byte[] envelope = flow.v.hex("m1_envelope");
    envelope[envelope.length - 80] ^= 1; // a byte of the body's ciphertext, under the signature

    for (String t : DeviceVectorFlow.TARGETS.get("m1")) {
      assertThatThrownBy(() -> flow.open(t, envelope))
          .as(t)
          .isInstanceOfSatisfying(
              EnvelopeRejectedException.class,
              e -> assertThat(e.reason()).isEqualTo(RejectionReason.BAD_SIGNATURE));
    }
  }

  @Test
  void theSendOfThatMessage_namesEveryDeviceItIsSealedTo() throws Exception {
    DeviceVectorFlow flow = new DeviceVectorFlow(DeviceVector.load());
    DeviceVector v = flow.v;
    List<String> devices = flow.sendDevices("m1");

    assertThat(String.join(",", devices))
        .isEqualTo(new String(v.hex("m1_devices"), StandardCharsets.US_ASCII));
    assertThat(devices)
        .containsExactly(
            "bob:" + HEX.formatHex(v.hex("bob_laptop_device_id")),
            "bob:" + HEX.formatHex(v.hex("bob_phone_device_id")),
            "alice:" + HEX.formatHex(v.hex("alice_phone_device_id")));
    Frame.Send send = new Frame.Send("7", v.hex("m1_envelope"), true, devices);
    assertThat(FrameCodec.encode(send)).isEqualTo(v.hex("m1_send"));
    assertThat(FrameCodec.decode(v.hex("m1_send"))).isEqualTo(send);
  }
}
