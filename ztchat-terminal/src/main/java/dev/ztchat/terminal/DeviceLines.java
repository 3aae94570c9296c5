package dev.ztchat.terminal;

import dev.ztchat.client.ContactDevice;
import dev.ztchat.client.ContactDeviceStanding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code /devices [NAME]} shows (docs/v2/devices.md section 6.3): a contact's devices as this
 * device knows them, each with its name, fingerprint and whether messages are sealed to it; or,
 * without a name, this device's own fingerprint, the one a contact told of a new device of the user
 * compares out of band, and the user's other devices.
 */
final class DeviceLines {
  private DeviceLines() {}

  /** The lines for {@code /devices NAME}: {@code name}'s devices known here. */
  static List<String> ofContact(String name, List<ContactDeviceStanding> devices) {
    List<String> out = new ArrayList<>();
    if (devices.isEmpty()) {
      out.add(
          "No device of "
              + name
              + " is known on this device yet: they are fetched from the server when you first"
              + " write to "
              + name
              + ".");
      return out;
    }
    out.add("Devices of " + name + " known on this device:");
    boolean held = false;
    for (ContactDeviceStanding s : devices) {
      held |= !s.revoked() && !s.device().accepted();
      out.add(line(s, name));
    }
    out.add(
        "Compare a fingerprint with the one "
            + name
            + "'s device shows (/devices on it) in person or by phone"
            + (held ? " before you /accept " + name + "." : "."));
    return out;
  }

  /** The lines for {@code /devices}: this device, then the user's other devices known here. */
  static List<String> ofMine(
      String me, Optional<ContactDeviceStanding> self, List<ContactDeviceStanding> mine) {
    List<String> out = new ArrayList<>();
    if (self.isEmpty()) {
      out.add(
          "This device has no device certificate (version 1 only): it has no device"
              + " fingerprint; /fingerprint "
              + me
              + " shows its keys.");
      return out;
    }
    ContactDevice d = self.get().device();
    out.add("This device: " + self.get().name() + ", fingerprint " + d.fingerprint());
    out.add(
        "  A contact told that you have a new device compares this fingerprint with you before"
            + " accepting it.");
    List<ContactDeviceStanding> others =
        mine.stream().filter(s -> !s.device().id().equals(d.id())).toList();
    if (others.isEmpty()) {
      out.add("No other device of yours is known on this device.");
    } else {
      out.add("Your other devices known on this device (each gets a copy of what you send):");
      for (ContactDeviceStanding s : others) {
        out.add(line(s, me));
      }
    }
    out.add("/devices NAME lists NAME's devices.");
    return out;
  }

  private static String line(ContactDeviceStanding s, String person) {
    String state;
    if (s.revoked()) {
      state = "revoked by the CA: nothing is sealed to it";
    } else if (s.device().accepted()) {
      state = "gets what you send";
    } else {
      state = "held: gets nothing until you /accept " + person;
    }
    String name = s.name().isEmpty() ? "(name not known yet)" : s.name();
    return "  " + name + "  " + s.device().fingerprint() + "  " + state;
  }
}
