package dev.ztchat.core.conversation;

import dev.ztchat.core.pki.IdentityName;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One device of a recipient: the user's name and the device id (SHA-256 of the device certificate's
 * DER, docs/v2/messages.md section 2). A version-2 message is sealed to a list of these; each gets
 * its own entry.
 */
public record RecipientDevice(String name, byte[] deviceId) {
  public RecipientDevice {
    IdentityName.validate(name);
    if (deviceId.length != StoredSession.DEVICE_ID_BYTES) {
      throw new IllegalArgumentException("a device id is 32 bytes");
    }
    deviceId = deviceId.clone();
  }

  @Override
  public byte[] deviceId() {
    return deviceId.clone();
  }

  boolean is(String otherName, byte[] otherDevice) {
    return name.equals(otherName) && Arrays.equals(deviceId, otherDevice);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecipientDevice d && d.is(name, deviceId);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(deviceId);
  }

  @Override
  public String toString() {
    return "RecipientDevice[" + name + " " + HexFormat.of().formatHex(deviceId, 0, 4) + "]";
  }
}
