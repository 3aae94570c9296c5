package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GroupTextFitTest {
  static final int FRAME = 16_384;

  /**
   * docs/v2/messages.md section 8 for an empty group text (T = 1 + 20) from alice to one device of
   * bob, its entry at its largest (msg = 2677): prefix 1+2+5+1+(2+3)+8+16 = 38, body length 4, body
   * without entries 1+32+2+0+1+12+4+21+16 = 89, entry 1+3+32+16+2+0+2+2677 = 2733, signature 2+72.
   */
  static final int ALICE_TO_ONE_BOB_DEVICE = 38 + 4 + 89 + 2733 + 74;

  static final int BOB_ENTRY = 2733;

  static X509Certificate aliceDevice;

  @BeforeAll
  static void keys() {
    aliceDevice = TestPki.create("alice").device("alice").certificate();
  }

  static GroupTextFit fit(Map<String, Integer> devices, X509Certificate mine) {
    return new GroupTextFit("alice", () -> FRAME, p -> devices.getOrDefault(p, 0), mine);
  }

  static int room() {
    return ProtocolLimits.maxEnvelopeBytes(FRAME);
  }

  @Test
  void oneDeviceEach_leavesTheRoomOfTheLargestEnvelopeToOneMember_asDocumented() throws Exception {
    assertThat(aliceDevice.getEncoded().length)
        .as("a test device certificate is smaller than what a new session's entry saves")
        .isLessThan(1068);

    assertThat(fit(Map.of("bob", 1), aliceDevice).maxTextBytes(List.of("alice", "bob")))
        .isEqualTo(room() - ALICE_TO_ONE_BOB_DEVICE);
  }

  @Test
  void theMemberWithTheMostDevices_bindsTheText_notTheSizeOfTheGroup() throws Exception {
    GroupTextFit fit = fit(Map.of("bob", 3, "dan", 1, "eve", 1, "fay", 1), aliceDevice);

    assertThat(fit.maxTextBytes(List.of("alice", "bob", "dan", "eve", "fay")))
        .isEqualTo(room() - ALICE_TO_ONE_BOB_DEVICE - 2 * BOB_ENTRY);
  }

  @Test
  void aLongerName_takesRoomInThePrefixAndInEachEntry() throws Exception {
    GroupTextFit fit = fit(Map.of("bob", 1, "carol", 1), aliceDevice);

    assertThat(fit.maxTextBytes(List.of("alice", "bob", "carol")))
        .isEqualTo(room() - ALICE_TO_ONE_BOB_DEVICE - 2 - 2);
  }

  @Test
  void aMemberWhoseDevicesAreNotKnownYet_countsAsOneDevice_andMyOwnOnlyWhenIHaveOthers()
      throws Exception {
    assertThat(fit(Map.of(), aliceDevice).maxTextBytes(List.of("alice", "bob")))
        .isEqualTo(room() - ALICE_TO_ONE_BOB_DEVICE);
    assertThat(fit(Map.of("alice", 2), aliceDevice).maxTextBytes(List.of("alice", "bob")))
        .as("my two other devices, under my longer name")
        .isEqualTo(room() - ALICE_TO_ONE_BOB_DEVICE - 2 - 2 * 2 - BOB_ENTRY);
  }

  @Test
  void withoutACertificateOfMine_theLargestOneIsAssumedForANewSession() throws Exception {
    assertThat(fit(Map.of("bob", 1), null).maxTextBytes(List.of("alice", "bob")))
        .isEqualTo(room() - ALICE_TO_ONE_BOB_DEVICE - (2048 - 1068));
  }

  @Test
  void check_passesATextOfExactlyTheLimit_andRefusesOneByteMore_countingUtf8Bytes()
      throws Exception {
    GroupTextFit fit = fit(Map.of("bob", 1), aliceDevice);
    List<String> members = List.of("alice", "bob");
    int max = fit.maxTextBytes(members);

    fit.check(members, "é".repeat(max / 2) + "x".repeat(max % 2));
    assertThatThrownBy(() -> fit.check(members, "é".repeat(max / 2 + 1)))
        .isInstanceOf(MessageTooLongException.class)
        .hasMessageContaining("the maximum is " + max + " bytes")
        .satisfies(e -> assertThat(((MessageTooLongException) e).maxBytes()).isEqualTo(max));
  }

  @Test
  void aFrameTooSmallForAnyEntry_leavesNoRoom() throws Exception {
    GroupTextFit fit = new GroupTextFit("alice", () -> 1024, p -> 1, aliceDevice);

    assertThat(fit.maxTextBytes(List.of("alice", "bob"))).isZero();
  }

  @Test
  void whileOffline_theFrameTheRelayLastAnnouncedCounts_andTheDefaultBeforeAny() throws Exception {
    int[] announced = {0};
    GroupTextFit fit =
        new GroupTextFit("alice", () -> announced[0], p -> p.equals("bob") ? 1 : 0, aliceDevice);
    List<String> members = List.of("alice", "bob");
    int before = fit.maxTextBytes(members);
    announced[0] = 2 * ProtocolLimits.DEFAULT_MAX_FRAME;
    int online = fit.maxTextBytes(members);
    announced[0] = 0;

    assertThat(before)
        .isEqualTo(
            ProtocolLimits.maxEnvelopeBytes(ProtocolLimits.DEFAULT_MAX_FRAME)
                - ALICE_TO_ONE_BOB_DEVICE);
    assertThat(online)
        .isEqualTo(
            ProtocolLimits.maxEnvelopeBytes(2 * ProtocolLimits.DEFAULT_MAX_FRAME)
                - ALICE_TO_ONE_BOB_DEVICE);
    assertThat(fit.maxTextBytes(members)).as("offline after a connection").isEqualTo(online);
  }
}
