package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

/**
 * A contact's device with what its certificate says (docs/v2/devices.md sections 2 and 6): its name
 * (the certificate's device name, "" while this device has not seen its certificate: no session
 * with it yet) and whether the CA revoked that certificate (then nothing is sealed to it).
 */
public record ContactDeviceStanding(ContactDevice device, String name, boolean revoked) {
  public ContactDeviceStanding {
    requireNonNull(device, "device");
    requireNonNull(name, "name");
  }
}
