package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one {@code prekeys} frame publishes for one device of {@code owner}: the device certificate
 * (DER, or null when the relay already holds it), and any of a signed prekey, a last-resort prekey
 * (each null when absent) and one-time prekeys. {@code device} is the SHA-256 of the certificate's
 * DER.
 */
public record PrekeyUpload(
    String owner,
    byte[] device,
    byte[] certificate,
    PublishedPrekey signedPrekey,
    PublishedPrekey lastResort,
    List<PublishedPrekey> oneTime) {
  public PrekeyUpload {
    requireNonNull(owner, "owner");
    device = device.clone();
    certificate = certificate == null ? null : certificate.clone();
    oneTime = List.copyOf(oneTime);
  }

  @Override
  public byte[] device() {
    return device.clone();
  }

  @Override
  public byte[] certificate() {
    return certificate == null ? null : certificate.clone();
  }
}
