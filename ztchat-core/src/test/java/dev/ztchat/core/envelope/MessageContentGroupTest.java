package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupRules;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The group content kinds 3, 4 and 5 (docs/v2/groups.md section 3). */
class MessageContentGroupTest {
  private static final HexFormat HEX = HexFormat.of();
  private final GroupId group = GroupId.fromHex("00112233445566778899aabbccddeeff");

  @Test
  void groupText_encodesAsKindThreeThenIdVersionAndUtf8() throws Exception {
    MessageContent c = MessageContent.groupText(group, 7, "hé");

    byte[] encoded = c.encode();

    assertThat(HEX.formatHex(encoded))
        .isEqualTo("03" + "00112233445566778899aabbccddeeff" + "00000007" + "68c3a9");
    MessageContent back = MessageContent.decode(encoded);
    assertThat(back).isEqualTo(c);
    assertThat(back.kind()).isEqualTo(ContentKind.GROUP_TEXT);
    assertThat(back.groupId()).isEqualTo(group);
    assertThat(back.groupStateVersion()).isEqualTo(7);
    assertThat(back.text()).isEqualTo("hé");
  }

  @Test
  void groupText_emptyText_isTheHeaderOnly() throws Exception {
    byte[] encoded = MessageContent.groupText(group, 1, "").encode();

    assertThat(encoded).hasSize(21);
    assertThat(MessageContent.decode(encoded).text()).isEmpty();
  }

  @Test
  void groupText_truncatedHeader_isMalformed() {
    byte[] full = MessageContent.groupText(group, 1, "").encode();
    for (int n = 1; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> MessageContent.decode(cut))
          .isInstanceOf(MalformedContentException.class)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void groupText_stateVersionZero_isMalformed_withOrWithoutThePartFlag() {
    byte[] zero = MessageContent.groupText(group, 1, "x").encode();
    zero[20] = 0;
    byte[] high = MessageContent.groupText(group, 1, "x").encode();
    high[17] = (byte) 0x80;
    high[20] = 0;

    assertThatThrownBy(() -> MessageContent.decode(zero))
        .isInstanceOf(MalformedContentException.class)
        .hasMessageContaining("state version");
    assertThatThrownBy(() -> MessageContent.decode(high))
        .isInstanceOf(MalformedContentException.class)
        .hasMessageContaining("state version");
  }

  @Test
  void groupTextPart_setsTheTopBitOfTheVersionField_andDecodesAsAPartOfThatVersion()
      throws Exception {
    MessageContent part = MessageContent.groupText(group, 7, "hé").asGroupTextPart();

    byte[] encoded = part.encode();

    assertThat(HEX.formatHex(encoded))
        .isEqualTo("03" + "00112233445566778899aabbccddeeff" + "80000007" + "68c3a9");
    MessageContent back = MessageContent.decode(encoded);
    assertThat(back).isEqualTo(part);
    assertThat(back.isGroupTextPart()).isTrue();
    assertThat(back.groupStateVersion()).isEqualTo(7);
    assertThat(MessageContent.groupText(group, 7, "hé").isGroupTextPart()).isFalse();
    assertThat(back).isNotEqualTo(MessageContent.groupText(group, 7, "hé"));
  }

  @Test
  void groupText_invalidUtf8_isMalformed() {
    byte[] bad = MessageContent.groupText(group, 1, "ab").encode();
    bad[21] = (byte) 0xc0;
    bad[22] = (byte) 0x80;

    assertThatThrownBy(() -> MessageContent.decode(bad))
        .isInstanceOf(MalformedContentException.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void groupText_versionBelowOne_isRefusedBeforeSealing() {
    assertThatThrownBy(() -> MessageContent.groupText(group, 0, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void groupChange_roundTripsAsKindFour() throws Exception {
    GroupChange change = GroupRules.create(group, "team", "alice", List.of("bob", "carol"));
    MessageContent c = MessageContent.groupChange(change);

    byte[] encoded = c.encode();

    assertThat(encoded[0]).isEqualTo((byte) 4);
    assertThat(Arrays.copyOfRange(encoded, 1, encoded.length)).isEqualTo(change.encode());
    MessageContent back = MessageContent.decode(encoded);
    assertThat(back).isEqualTo(c);
    assertThat(back.groupChange()).isEqualTo(change);
    assertThat(back.groupId()).isEqualTo(group);
    assertThat(back.groupStateVersion()).isEqualTo(1);
  }

  @Test
  void groupChange_malformed_isMalformedContentWithTheReason() throws Exception {
    byte[] encoded =
        MessageContent.groupChange(GroupRules.create(group, "team", "alice", List.of("bob")))
            .encode();
    byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
    byte[] unknownOp = encoded.clone();
    unknownOp[2] = 9;

    assertThatThrownBy(() -> MessageContent.decode(trailing))
        .isInstanceOf(MalformedContentException.class)
        .hasMessageContaining("group change is malformed")
        .hasMessageContaining("trailing");
    assertThatThrownBy(() -> MessageContent.decode(unknownOp))
        .isInstanceOf(MalformedContentException.class)
        .hasMessageContaining("unknown group change operation 9");
  }

  @Test
  void groupAccessors_onDirectText_areRefused() {
    MessageContent text = MessageContent.text("x");

    assertThat(text.isGroupContent()).isFalse();
    assertThatThrownBy(text::groupId).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(text::groupChange).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void forwardedChange_encodesAsKindFiveThenTheRecord_andDecodesBack() throws Exception {
    MessageContent c = MessageContent.forwardedChange(new byte[] {1, 2, 3});

    byte[] encoded = c.encode();

    assertThat(HEX.formatHex(encoded)).isEqualTo("05010203");
    MessageContent back = MessageContent.decode(encoded);
    assertThat(back).isEqualTo(c);
    assertThat(back.kind()).isEqualTo(ContentKind.FORWARDED_GROUP_CHANGE);
    assertThat(back.forwardedChange()).containsExactly(1, 2, 3);
    assertThat(back.isGroupContent()).as("version 2 only").isTrue();
    assertThatThrownBy(back::groupId).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void forwardedChange_emptyOrLongerThanARecordHolds_isMalformed() {
    assertThatThrownBy(() -> MessageContent.decode(new byte[] {5}))
        .isInstanceOf(MalformedContentException.class)
        .hasMessageContaining("forwarded group change");
    byte[] tooLong = new byte[2 + MessageContent.MAX_FORWARDED_BYTES];
    tooLong[0] = 5;
    assertThatThrownBy(() -> MessageContent.decode(tooLong))
        .isInstanceOf(MalformedContentException.class)
        .hasMessageContaining("forwarded group change");
  }
}
