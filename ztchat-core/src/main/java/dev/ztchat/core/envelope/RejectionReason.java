package dev.ztchat.core.envelope;

/**
 * Why an envelope was not opened, in the order the opener checks (docs/PROTOCOL.md, section 7).
 * Each reason carries a sentence for the local user; it says what happened and what to do. It is
 * for the local user only: do not send it back to the sender or the relay.
 */
public enum RejectionReason {
  /** Check 1: the directory has no signing certificate for the header's sender. */
  UNKNOWN_SENDER(
      "The sender is unknown: the directory has no certificate for them, so the message cannot"
          + " be checked. It was discarded."),
  /** Check 1: the sender's certificate is not one our root CA issued for that name and signing. */
  UNTRUSTED_SENDER_CERTIFICATE(
      "The sender's certificate is not trusted, so the message cannot be checked. It was"
          + " discarded. Ask your administrator whether this user's certificate was replaced."),
  /** Check 2: the header does not name me, or no content key is wrapped for my key. */
  NOT_FOR_ME(
      "This message is not addressed to this key: it was meant for someone else, or for another"
          + " of your keys. It was discarded."),
  /**
   * Version 2, check 2: the envelope names me but holds entries for my other devices only, and its
   * signature verified with a certificate this device already trusts for the sender's device. Not a
   * fault: it was sealed for another of my devices (one the sender sends separately what it
   * missed). The client acknowledges it without telling the user.
   */
  FOR_MY_OTHER_DEVICES(
      "This message was sealed for your other devices only, so there is nothing in it for this one."
          + " It was set aside."),
  /**
   * Version 2, check 3: the message continues a session this device does not have (never set up, or
   * dropped as the least recently used of several). The sender's device starts a new session when
   * it learns of it; nothing can be done with this message.
   */
  UNKNOWN_SESSION(
      "The message belongs to a conversation session this device does not have (it was reset or"
          + " set up on another device), so it cannot be read. It was discarded; ask the sender to"
          + " send it again."),
  /** Check 3: the signature does not verify with the sender's certificate. */
  BAD_SIGNATURE(
      "The message's signature does not match its sender: it was altered on the way or forged."
          + " It was discarded."),
  /**
   * Check 3b: the sender's certificate was revoked before the message was written (or compromised).
   */
  SENDER_REVOKED(
      "The sender's certificate was revoked by your organisation's CA (a lost device, or keys"
          + " replaced), so this message cannot be trusted. It was discarded."),
  /** Check 4: the timestamp is older than the acceptance window. */
  STALE(
      "The message is too old to accept: it may be an old message replayed. It was discarded."
          + " If this happens often, check that your clock is right."),
  /** Check 4: the timestamp is further in the future than the allowed clock skew. */
  FROM_THE_FUTURE(
      "The message is dated in the future: the sender's clock or yours is wrong. It was"
          + " discarded; check your clock."),
  /** Check 5: this sender's message id was already accepted once. */
  REPLAY("This message was already received: a copy was replayed. The copy was discarded."),
  /** Check 6: the content key did not unwrap, or the ciphertext did not authenticate. */
  DECRYPTION_FAILED(
      "The message could not be decrypted: it was damaged or built wrongly by the sender's"
          + " software. It was discarded."),
  /** Check 6: it decrypted, but the plaintext is not content this version understands. */
  MALFORMED_CONTENT(
      "The message decrypted, but its content is in a format this version does not understand."
          + " It was discarded; updating ztchat may help."),
  /**
   * Before check 1: a version-1 envelope from a peer known to speak version 2 ({@link
   * PeerVersions}): a relay may have rewritten or replaced a version-2 message.
   */
  DOWNGRADE(
      "The message came in the old format (version 1) from a contact whose device uses version 2:"
          + " someone on the way may have rewritten it. It was discarded. If it persists, ask the"
          + " sender whether they use an old ztchat or lost their device keys.");

  private final String userMessage;

  RejectionReason(String userMessage) {
    this.userMessage = userMessage;
  }

  /** A sentence for the local user. */
  public String userMessage() {
    return userMessage;
  }
}
