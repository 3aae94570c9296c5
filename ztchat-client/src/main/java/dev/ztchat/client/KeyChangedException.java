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
