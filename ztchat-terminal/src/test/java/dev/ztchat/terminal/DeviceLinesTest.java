package dev.ztchat.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ContactDevice;
import dev.ztchat.client.ContactDeviceStanding;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeviceLinesTest {
  static ContactDeviceStanding standing(String name, String fp, boolean accepted, boolean revoked) {
    return new ContactDeviceStanding(
        new ContactDevice(fp.replace(" ", ""), fp, accepted), name, revoked);
  }

  @Test
  void aContactsDevices_sayWhichGetMessages_whichAreHeld_andWhichTheCaRevoked() {
    List<String> lines =
        DeviceLines.ofContact(
            "bob",
            List.of(
                standing("laptop", "aaaa bbbb", true, false),
                standing("", "cccc dddd", false, false),
                standing("phone", "eeee ffff", true, true)));
    assertThat(lines)
        .containsExactly(
            "Devices of bob known on this device:",
            "  laptop  aaaa bbbb  gets what you send",
            "  (name not known yet)  cccc dddd  held: gets nothing until you /accept bob",
            "  phone  eeee ffff  revoked by the CA: nothing is sealed to it",
            "Compare a fingerprint with the one bob's device shows (/devices on it) in person or"
                + " by phone before you /accept bob.");
  }

  @Test
  void noDeviceKnown_saysWhenTheyAreFetched() {
    assertThat(DeviceLines.ofContact("bob", List.of()))
        .containsExactly(
            "No device of bob is known on this device yet: they are fetched from the server"
                + " when you first write to bob.");
  }

  @Test
  void myDevices_showThisOnesFingerprint_andLeaveItOutOfTheOthers() {
    ContactDeviceStanding self = standing("laptop", "aaaa bbbb", true, false);
    List<String> lines =
        DeviceLines.ofMine(
            "alice", Optional.of(self), List.of(self, standing("phone", "cccc dddd", true, false)));
    assertThat(lines)
        .containsExactly(
            "This device: laptop, fingerprint aaaa bbbb",
            "  A contact told that you have a new device compares this fingerprint with you before"
                + " accepting it.",
            "Your other devices known on this device (each gets a copy of what you send):",
            "  phone  cccc dddd  gets what you send",
            "/devices NAME lists NAME's devices.");
  }

  @Test
  void aVersion1OnlyClient_hasNoDeviceFingerprint() {
    assertThat(DeviceLines.ofMine("alice", Optional.empty(), List.of()))
        .containsExactly(
            "This device has no device certificate (version 1 only): it has no device"
                + " fingerprint; /fingerprint alice shows its keys.");
  }
}
