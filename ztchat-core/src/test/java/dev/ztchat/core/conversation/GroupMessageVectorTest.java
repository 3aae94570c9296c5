package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.EnvelopeRejectedException;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.group.AuthoredChange;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.testing.DocumentedVector;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks the vector of docs/v2/groups.md section 13, read from the document with the devices and
 * sessions of docs/v2/devices.md section 8: alice's creation of #team and a group text, each sealed
 * to every device of the members and to alice's other device, her removal of carol and a text after
 * it that carol cannot open, and the creation forwarded to a device that joins late (section 6.6).
 */
class GroupMessageVectorTest {
  private static final HexFormat HEX = HexFormat.of();

  /** The create of groups.md section 12, which message m2 carries. */
  private static byte[] documentedCreate() throws Exception {
    return HEX.parseHex(
        DocumentedVector.values(
                DocumentedVector.section(DeviceVector.GROUPS_DOC, "## 12. Test vector"))
            .get("create"));
  }

  @Test
  void changesAndTexts_sealToTheDocumentedBytes_openOnEveryMembersDevice_andNotForTheRemoved()
      throws Exception {
    DeviceVectorFlow flow = new DeviceVectorFlow(DeviceVector.load());
    DeviceVector v = flow.v;
    flow.seal("m1");
    for (String t : DeviceVectorFlow.TARGETS.get("m1")) {
      flow.open(t, v.hex("m1_envelope"));
    }

    for (String m : new String[] {"m2", "m3", "m4", "m5"}) {
      V2Envelope sealed = flow.seal(m);
      for (Map.Entry<String, byte[]> e : flow.values(m, sealed).entrySet()) {
        assertThat(HEX.formatHex(e.getValue()))
            .as(e.getKey())
            .isEqualTo(HEX.formatHex(v.hex(e.getKey())));
      }
      assertThat(new V2Envelope(sealed.prefix(), sealed.body(), v.hex(m + "_signature")).encode())
          .as(m + "_envelope")
          .isEqualTo(v.hex(m + "_envelope"));
      assertThat(
              DeviceKey.verifyEnvelope(
                  v.certificate(DeviceVector.SENDER),
                  v.hex(m + "_signed_bytes"),
                  v.hex(m + "_signature")))
          .isTrue();
      for (String t : DeviceVectorFlow.TARGETS.get(m)) {
        OpenedMessage opened = flow.open(t, v.hex(m + "_envelope"));
        assertThat(opened.recipients())
            .containsExactlyElementsOf(
                m.equals("m5") ? List.of("alice", "bob") : List.of("alice", "bob", "carol"));
        assertThat(opened.content()).as(m + " at " + t).isEqualTo(flow.content(m));
      }
    }
    assertThatThrownBy(() -> flow.open("carol", v.hex("m5_envelope")))
        .as("carol, removed before m5 was sealed, has nothing in it even if the relay delivers it")
        .isInstanceOfSatisfying(
            EnvelopeRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectionReason.NOT_FOR_ME));
    byte[] change = new byte[documentedCreate().length + 1];
    change[0] = 4;
    System.arraycopy(documentedCreate(), 0, change, 1, change.length - 1);
    assertThat(v.hex("m2_content_plaintext")).as("kind 4, then the create").isEqualTo(change);
  }

  @Test
  void theForwardedCreate_encodesToTheDocumentedBytes_andVerifiesAsAlicesChange() throws Exception {
    DeviceVector v = DeviceVector.load();
    byte[] cert = v.certificate(DeviceVector.SENDER).getEncoded();

    assertThat(new ForwardedChange(cert, v.hex("m2_envelope"), v.hex("m2_content_key")).encode())
        .isEqualTo(v.hex("forwarded"));
    AuthoredChange verified = verifier(v).verify(ForwardedChange.decode(v.hex("forwarded")));
    assertThat(verified.author()).isEqualTo("alice");
    assertThat(verified.change()).isEqualTo(GroupChange.decode(documentedCreate()));
  }

  @Test
  void aForwardedCreateWithAChangedKeyByte_isRefused() throws Exception {
    DeviceVector v = DeviceVector.load();
    byte[] record = v.hex("forwarded");
    record[record.length - 1] ^= 1; // the last byte of K

    assertThatThrownBy(() -> verifier(v).verify(ForwardedChange.decode(record)))
        .isInstanceOf(ForwardedChangeRefusedException.class);
  }

  private static ForwardedChangeVerifier verifier(DeviceVector v) throws Exception {
    Clock at = Clock.fixed(Instant.ofEpochMilli(v.number("m2_timestamp_ms")), ZoneOffset.UTC);
    return new ForwardedChangeVerifier(new CertificateVerifier(v.ca()), SenderRevocations.NONE, at);
  }
}
