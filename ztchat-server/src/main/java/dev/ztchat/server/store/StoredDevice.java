package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

/** A device the relay holds prekeys for: its owner, its id (SHA-256 of the DER) and certificate. */
public record StoredDevice(String owner, byte[] device, byte[] certificate) {
  public StoredDevice {
    requireNonNull(owner, "owner");
    device = device.clone();
    certificate = certificate.clone();
  }

  @Override
  public byte[] device() {
    return device.clone();
  }

  @Override
  public byte[] certificate() {
    return certificate.clone();
  }
}
