package dev.ztchat.core.protocol;

import static dev.ztchat.core.protocol.FrameAssertions.assertBadMember;
import static dev.ztchat.core.protocol.FrameAssertions.decode;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The prekey frames (docs/v2/prekeys.md section 3): round trips, wire form, strictness. */
class PrekeyFramesCodecTest {
  private static final String DEVICE = "ab".repeat(32);

  @Test
  void publishPrekeys_roundTrips_withEveryMemberOrNone() throws Exception {
    Frame full =
        new Frame.PublishPrekeys(
            "r1", DEVICE, new byte[] {1}, new byte[] {2}, new byte[] {3}, List.of(new byte[] {4}));
    assertThat(FrameCodec.decode(FrameCodec.encode(full))).isEqualTo(full);
    Frame bare = new Frame.PublishPrekeys(null, DEVICE, null, null, null, List.of());
    assertThat(FrameCodec.decode(FrameCodec.encode(bare))).isEqualTo(bare);
    assertThat(new String(FrameCodec.encode(bare), StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"prekeys\",\"device\":\"" + DEVICE + "\"}");
  }

  @Test
  void publishPrekeys_wireForm_isBase64Members() throws Exception {
    Frame f =
        new Frame.PublishPrekeys(
            "r", DEVICE, null, new byte[] {(byte) 0xff}, null, List.of(new byte[] {0, 1}));
    assertThat(new String(FrameCodec.encode(f), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"type\":\"prekeys\",\"ref\":\"r\",\"device\":\""
                + DEVICE
                + "\",\"signedPrekey\":\"/w==\",\"oneTime\":[\"AAE=\"]}");
  }

  @Test
  void stockAndBundleFrames_roundTrip() throws Exception {
    Frame stock = new Frame.PrekeyStock("s", DEVICE, 3, 100, "00000001", null, "00000004");
    assertThat(FrameCodec.decode(FrameCodec.encode(stock))).isEqualTo(stock);
    Frame request = new Frame.BundleRequest("b", "alice");
    assertThat(FrameCodec.decode(FrameCodec.encode(request))).isEqualTo(request);
    for (boolean lastResort : new boolean[] {false, true}) {
      Frame bundle =
          new Frame.PrekeyBundle(
              "b", "alice", DEVICE, new byte[] {1}, new byte[] {2}, new byte[] {3}, lastResort);
      assertThat(FrameCodec.decode(FrameCodec.encode(bundle))).isEqualTo(bundle);
    }
  }

  @Test
  void badBase64InTheOneTimeArray_isAMalformedMember_withTheRef() {
    assertBadMember(
        "{\"type\":\"prekeys\",\"ref\":\"q\",\"device\":\"d\",\"oneTime\":[\"AAE\"]}",
        "q",
        "member 'oneTime' is not an array of valid base64");
    assertBadMember(
        "{\"type\":\"prekeys\",\"ref\":\"q\",\"device\":\"d\",\"oneTime\":[1]}",
        "q",
        "member 'oneTime' must be an array of strings");
    assertBadMember(
        "{\"type\":\"prekeys\",\"ref\":\"q\",\"device\":\"d\",\"signedPrekey\":\"A A=\"}",
        "q",
        "member 'signedPrekey' is not valid base64");
  }

  @Test
  void missingDeviceOrUser_isAMalformedMember() {
    assertBadMember("{\"type\":\"prekeys\",\"ref\":\"q\"}", "q", "member 'device' is missing");
    assertBadMember("{\"type\":\"bundle\",\"ref\":\"q\"}", "q", "member 'user' is missing");
  }

  @Test
  void bundleWithAnUnknownKem_isAMalformedMember() throws Exception {
    String ok =
        "{\"type\":\"prekeyBundle\",\"ref\":\"q\",\"user\":\"a\",\"device\":\"d\","
            + "\"certificate\":\"AQ==\",\"signedPrekey\":\"Ag==\",\"kemPrekey\":\"Aw==\","
            + "\"kem\":\"%s\"}";
    assertThat(((Frame.PrekeyBundle) decode(ok.formatted("last-resort"))).lastResort()).isTrue();
    assertBadMember(
        ok.formatted("two-time"), "q", "member 'kem' must be \"one-time\" or \"last-resort\"");
  }
}
