package dev.ztchat.core.protocol;

import static dev.ztchat.core.protocol.FrameAssertions.assertBadMember;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The members for several devices (docs/v2/devices.md section 5): {@code bundle}'s optional {@code
 * device} and {@code prekeyBundle}'s optional {@code devices}.
 */
class DeviceBundleFramesCodecTest {
  private static final String LAPTOP = "ab".repeat(32);
  private static final String PHONE = "cd".repeat(32);

  @Test
  void bundleRequestForOneDevice_roundTrips_andWithoutOneIsAsBefore() throws Exception {
    Frame one = new Frame.BundleRequest("b", "bob", LAPTOP);
    assertThat(FrameCodec.decode(FrameCodec.encode(one))).isEqualTo(one);
    assertThat(
            new String(
                FrameCodec.encode(new Frame.BundleRequest("b", "bob")), StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"bundle\",\"ref\":\"b\",\"user\":\"bob\"}");
  }

  @Test
  void bundleWithTheListOfDevices_roundTrips() throws Exception {
    Frame bundle =
        new Frame.PrekeyBundle(
            "b",
            "bob",
            LAPTOP,
            new byte[] {1},
            new byte[] {2},
            new byte[] {3},
            false,
            List.of(LAPTOP, PHONE));
    assertThat(FrameCodec.decode(FrameCodec.encode(bundle))).isEqualTo(bundle);
  }

  @Test
  void aDeviceIdThatIsNot64HexDigits_isMalformed() {
    assertBadMember(
        "{\"type\":\"bundle\",\"ref\":\"q\",\"user\":\"bob\",\"device\":\"AB\"}",
        "q",
        "member 'device' must be 64 lower-case hex digits");
    assertBadMember(
        "{\"type\":\"prekeyBundle\",\"ref\":\"q\",\"user\":\"bob\",\"device\":\"d\","
            + "\"certificate\":\"AQ==\",\"signedPrekey\":\"AQ==\",\"kemPrekey\":\"AQ==\","
            + "\"kem\":\"one-time\",\"devices\":[\"xyz\"]}",
        "q",
        "member 'devices' must hold 64 lower-case hex digits each");
  }
}
