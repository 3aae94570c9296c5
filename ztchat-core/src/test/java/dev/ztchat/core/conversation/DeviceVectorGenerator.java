package dev.ztchat.core.conversation;

import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyType;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.testing.DocumentedVector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Made the vectors of docs/v2/devices.md section 8 and docs/v2/groups.md section 13 once
 * (certificates and ECDSA signatures are randomized, so running it again gives another, equally
 * valid vector). Run with {@code -Dztchat.generateDeviceVector=true}; it writes
 * target/device-vector.md and target/group-message-vector.md.
 */
@EnabledIfSystemProperty(named = "ztchat.generateDeviceVector", matches = "true")
class DeviceVectorGenerator {
  static final Instant NOT_BEFORE = Instant.parse("2025-12-01T00:00:00Z");
  static final Duration VALIDITY = Duration.ofDays(3650);

  @Test
  void generate() throws Exception {
    Credential ca =
        CertificateIssuer.createRootCa(
            "ztchat TEST VECTOR v2 devices CA - never trust",
            KeyType.EC,
            256,
            NOT_BEFORE,
            VALIDITY);
    StringBuilder certs = new StringBuilder();
    certs
        .append("`test-vector-v2-devices-ca.crt`:\n\n```\n")
        .append(PemFiles.toPem(ca.certificate()));
    StringBuilder keys = new StringBuilder();
    for (String d : DeviceVector.DEVICES) {
      KeyPair pair = KeyType.EC.generate(256);
      String person = DeviceVector.person(d);
      String name = d.equals(person) ? null : d.substring(person.length() + 1);
      X509Certificate cert =
          CertificateIssuer.build(
              new CertificateIssuer.Spec(
                  person,
                  pair.getPublic(),
                  ca,
                  null,
                  NOT_BEFORE,
                  NOT_BEFORE.plus(VALIDITY),
                  CertificateRole.DEVICE,
                  List.of(),
                  null,
                  name));
      certs.append("```\n\n`").append(DeviceVector.certificateFile(d)).append("`:\n\n```\n");
      certs.append(PemFiles.toPem(cert));
      keys.append(MessageVector.line(d + "_device_private", DocumentedVector.scalar(pair)));
    }
    certs.append("```\n");
    StringBuilder sessions = new StringBuilder();
    for (int i = 0; i < DeviceVector.SESSIONS.size(); i++) {
      String t = DeviceVector.SESSIONS.get(i);
      sessions.append(
          MessageVector.line("session_" + t + "_sk", DocumentedVector.counting(0x10 + i, 32)));
      sessions.append(
          MessageVector.line("session_" + t + "_ad", DocumentedVector.counting(0x40 + i, 32)));
      sessions.append(
          MessageVector.line(
              "session_" + t + "_prekey_private", DocumentedVector.counting(0x80 + 0x10 * i, 32)));
    }
    sessions.append(
        """
        m1_timestamp_ms = 0000019b76daa800
        m1_message_id = 303132333435363738393a3b3c3d3e3f
        m1_content_key = 5051525354555657585960616263646566676869707172737475767778797a7b
        m1_nonce = 606162636465666768696a6b
        """);
    for (int i = 0; i < 3; i++) {
      String t = DeviceVectorFlow.TARGETS.get("m1").get(i);
      sessions.append(
          MessageVector.line("m1_ratchet_private_" + t, DocumentedVector.counting(0xc0 + i, 32)));
    }
    String groupInputs =
        """
        m2_timestamp_ms = 0000019b76db9260
        m2_message_id = 404142434445464748494a4b4c4d4e4f
        m2_content_key = 7071727374757677787980818283848586878889909192939495969798999a9b
        m2_nonce = 707172737475767778797a7b
        m3_timestamp_ms = 0000019b76dc7cc0
        m3_message_id = 505152535455565758595a5b5c5d5e5f
        m3_content_key = 9091929394959697989900010203040506070809101112131415161718191a1b
        m3_nonce = 808182838485868788898a8b
        m4_timestamp_ms = 0000019b76dd6720
        m4_message_id = 606162636465666768696a6b6c6d6e6f
        m4_content_key = a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
        m4_nonce = 909192939495969798999a9b
        m5_timestamp_ms = 0000019b76de5180
        m5_message_id = 707172737475767778797a7b7c7d7e7f
        m5_content_key = e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
        m5_nonce = a0a1a2a3a4a5a6a7a8a9aaab
        """;
    groupInputs +=
        MessageVector.line("m2_ratchet_private_carol", DocumentedVector.counting(0xd0, 32));
    String m1Text = MessageVector.line("m1_text", utf8("hello bob, on both of your devices"));
    String texts =
        MessageVector.line("m3_text", utf8("hi team"))
            + MessageVector.line("m5_text", utf8("carol is no longer in the team"));
    String deviceInputs = keys.toString() + sessions + m1Text;
    Path devicesDraft = Path.of("target", "device-vector-inputs.md");
    Path groupsDraft = Path.of("target", "group-message-vector-inputs.md");
    Files.writeString(
        devicesDraft,
        DeviceVector.DEVICES_HEADING + "\n\n" + certs + "\n```\n" + deviceInputs + "```\n");
    Files.writeString(
        groupsDraft, DeviceVector.GROUPS_HEADING + "\n\n```\n" + groupInputs + texts + "```\n");
    DeviceVectorFlow flow = new DeviceVectorFlow(DeviceVector.of(devicesDraft, groupsDraft));

    StringBuilder devices = new StringBuilder();
    for (String d : DeviceVector.DEVICES) {
      devices.append(
          MessageVector.line(
              d + "_subject", flow.v.certificate(d).getSubjectX500Principal().getEncoded()));
      devices.append(MessageVector.line(d + "_device_id", flow.v.key(d).certificateHash()));
    }
    for (String t : DeviceVector.SESSIONS) {
      devices.append(
          MessageVector.line(
              DeviceVectorFlow.sessionIdName(t),
              V2Crypto.sessionId(flow.v.hex("session_" + t + "_ad"))));
    }
    V2Envelope m1 = message(flow, "m1", devices);
    devices.append(
        MessageVector.line("m1_devices", utf8(String.join(",", flow.sendDevices("m1")))));
    devices.append(
        MessageVector.line(
            "m1_send",
            FrameCodec.encode(new Frame.Send("7", m1.encode(), true, flow.sendDevices("m1")))));
    StringBuilder groups = new StringBuilder();
    V2Envelope m2 = message(flow, "m2", groups);
    message(flow, "m3", groups);
    message(flow, "m4", groups);
    message(flow, "m5", groups);
    groups.append(
        MessageVector.line(
            "forwarded",
            new ForwardedChange(
                    flow.v.certificate(DeviceVector.SENDER).getEncoded(),
                    m2.encode(),
                    flow.v.hex("m2_content_key"))
                .encode()));
    Files.writeString(
        Path.of("target", "device-vector.md"),
        certs
            + "\nInputs:\n\n```\n"
            + deviceInputs
            + "```\n\nValues:\n\n```\n"
            + devices
            + "```\n");
    Files.writeString(
        Path.of("target", "group-message-vector.md"),
        "Inputs:\n\n```\n" + groupInputs + texts + "```\n\nValues:\n\n```\n" + groups + "```\n");
  }

  /** Seals message {@code m}, writes its values to {@code out} and lets every target open it. */
  private static V2Envelope message(DeviceVectorFlow flow, String m, StringBuilder out)
      throws Exception {
    V2Envelope e = flow.seal(m);
    for (Map.Entry<String, byte[]> value : flow.values(m, e).entrySet()) {
      out.append(MessageVector.line(value.getKey(), value.getValue()));
    }
    out.append(MessageVector.line(m + "_signature", e.signature()));
    out.append(MessageVector.line(m + "_envelope", e.encode()));
    for (String t : DeviceVectorFlow.TARGETS.get(m)) {
      flow.open(t, e.encode());
    }
    return e;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
