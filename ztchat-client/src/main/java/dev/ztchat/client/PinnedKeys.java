package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

/**
 * A contact's keys as pinned on this device (see {@link ContactPins}), for showing offline: each
 * key's fingerprint in the form {@code pki list} prints, and the safety number they give.
 */
public record PinnedKeys(
    String name, String signingFingerprint, String encryptionFingerprint, String safetyNumber) {
  public PinnedKeys {
    requireNonNull(name, "name");
    requireNonNull(signingFingerprint, "signingFingerprint");
    requireNonNull(encryptionFingerprint, "encryptionFingerprint");
    requireNonNull(safetyNumber, "safetyNumber");
  }
}
