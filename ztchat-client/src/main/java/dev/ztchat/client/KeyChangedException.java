package dev.ztchat.client;

/**
 * A contact's keys differ from the pinned ones. Nothing was sent. Show both fingerprints; only
 * after the user accepts ({@link ContactDirectory#acceptChange}) may the new keys be used.
 */
public final class KeyChangedException extends Exception {
  private final String contact;
  private final String pinnedFingerprint;
  private final String newFingerprint;
  private final transient VerifiedContact newKeys;
  private final String newDevice; // hex device id, for a new device; null for changed keys
  private final String newDeviceName; // as its certificate names it ("" unknown); null for keys

  KeyChangedException(
      String contact, String pinnedFingerprint, String newFingerprint, VerifiedContact newKeys) {
    super(
        "the keys of '"
            + contact
            + "' changed: pinned "
            + pinnedFingerprint
            + ", now "
            + newFingerprint
            + ". Nothing was sent. Compare the new fingerprint with "
            + contact
            + " out of band, then accept it to continue.");
    this.contact = contact;
    this.pinnedFingerprint = pinnedFingerprint;
    this.newFingerprint = newFingerprint;
    this.newKeys = newKeys;
    this.newDevice = null;
    this.newDeviceName = null;
  }

  /**
   * A new version-2 device of {@code contact} (docs/v2/devices.md section 6.3): shown and accepted
   * as a key change is; {@code newFingerprint} is the device's.
   */
  KeyChangedException(
      String contact, String known, String newFingerprint, String newDevice, String deviceName) {
    super(
        "'"
            + contact
            + "' has a new device"
            + (deviceName.isEmpty() ? "" : " named '" + deviceName + "'")
            + " (fingerprint "
            + newFingerprint
            + ") besides the ones you know ("
            + known
            + "). Compare the fingerprint with "
            + contact
            + " out of band, then accept it; until then it gets nothing you send.");
    this.contact = contact;
    this.pinnedFingerprint = known;
    this.newFingerprint = newFingerprint;
    this.newKeys = null;
    this.newDevice = newDevice;
    this.newDeviceName = deviceName;
  }

  /** The new device's id (64 hex digits) when this is a new device rather than changed keys. */
  public String newDevice() {
    return newDevice;
  }

  /**
   * The new device's name as its CA-certified certificate gives it ({@code tablet}; "" if unknown)
   * when this is a new device; null for changed keys.
   */
  public String newDeviceName() {
    return newDeviceName;
  }

  public String contact() {
    return contact;
  }

  public String pinnedFingerprint() {
    return pinnedFingerprint;
  }

  public String newFingerprint() {
    return newFingerprint;
  }

  /**
   * The verified new keys, to pass to {@link ContactDirectory#acceptChange} once the user agreed.
   */
  public VerifiedContact newKeys() {
    return newKeys;
  }
}
