package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

/**
 * A contact's device as this device knows it (docs/v2/devices.md section 6): its id (64 hex
 * digits), its fingerprint as people compare it (the id in groups of four), and whether messages
 * are sealed to it ({@code accepted}) or it waits for the user's accept (held).
 */
public record ContactDevice(String id, String fingerprint, boolean accepted) {
  public ContactDevice {
    requireNonNull(id, "id");
    requireNonNull(fingerprint, "fingerprint");
  }
}
