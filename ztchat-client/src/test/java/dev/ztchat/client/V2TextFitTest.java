package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class V2TextFitTest {
  static final int FRAME = 16_384;
  static final MessageContent EMPTY_TEXT = MessageContent.text("");

  /**
   * docs/v2/messages.md section 8 for an empty direct text (T = 1) from alice to one device of bob,
   * its entry at its largest: prefix 1+2+5+1+(2+3)+8+16 = 38, body length 4, body without entries
   * 1+32+2+0+1+12+4+1+16 = 69, entry 1+3+32+16+2+0+2+2677 = 2733, signature 2+72.
   */
  static final int ALICE_TO_ONE_BOB_DEVICE = 38 + 4 + 69 + 2733 + 74;

  static X509Certificate aliceDevice;

  @BeforeAll
  static void keys() {
    aliceDevice = TestPki.create("alice").device("alice").certificate();
  }

  static SequencedMap<String, Integer> devices(Object... personAndCount) {
    SequencedMap<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < personAndCount.length; i += 2) {
      out.put((String) personAndCount[i], (Integer) personAndCount[i + 1]);
    }
    return out;
  }

  static V2TextFit fit(X509Certificate mine) {
    return new V2TextFit("alice", () -> FRAME, mine);
  }

  @Test
  void aDirectTextToOneDevice_leavesTheRoomOfItsLargestEnvelope_asDocumented() {
    assertThat(fit(aliceDevice).maxTextBytes(FRAME, EMPTY_TEXT, devices("bob", 1)))
        .isEqualTo(ProtocolLimits.maxEnvelopeBytes(FRAME) - ALICE_TO_ONE_BOB_DEVICE);
  }

  @Test
  void myOtherDevices_takeAnEntryEach_andMyNameInThePrefix() {
    assertThat(fit(aliceDevice).maxTextBytes(FRAME, EMPTY_TEXT, devices("bob", 2, "alice", 1)))
        .isEqualTo(
            ProtocolLimits.maxEnvelopeBytes(FRAME)
                - ALICE_TO_ONE_BOB_DEVICE
                - (2 + 5)
                - 2733
                - 2735);
  }

  @Test
  void aGroupPart_countsTheGroupHeaderOfItsContent() {
    MessageContent emptyGroupPart =
        MessageContent.groupText(GroupId.of(new byte[16]), 1, "").asGroupTextPart();

    assertThat(fit(aliceDevice).maxTextBytes(FRAME, emptyGroupPart, devices("bob", 1)))
        .isEqualTo(
            ProtocolLimits.maxEnvelopeBytes(FRAME) - GroupTextFitTest.ALICE_TO_ONE_BOB_DEVICE);
  }

  @Test
  void withoutACertificateOfMine_theLargestOneIsAssumedForANewSession() {
    assertThat(fit(null).maxTextBytes(FRAME, EMPTY_TEXT, devices("bob", 1)))
        .isEqualTo(
            ProtocolLimits.maxEnvelopeBytes(FRAME) - ALICE_TO_ONE_BOB_DEVICE - (2048 - 1068));
  }

  @Test
  void aFrameTooSmallForTheEntries_leavesNoRoom() {
    assertThat(fit(aliceDevice).maxTextBytes(4096, EMPTY_TEXT, devices("bob", 2))).isZero();
  }

  @Test
  void check_passesExactlyTheLimitInUtf8Bytes_andRefusesOneByteMoreNamingIt() throws Exception {
    V2TextFit.check("é".repeat(50), 100, FRAME);

    assertThatThrownBy(() -> V2TextFit.check("é".repeat(50) + "x", 100, FRAME))
        .isInstanceOf(MessageTooLongException.class)
        .hasMessageContaining("the maximum is 100 bytes")
        .satisfies(e -> assertThat(((MessageTooLongException) e).maxBytes()).isEqualTo(100));
  }
}
