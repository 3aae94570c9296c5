package dev.ztchat.server.store;

/** What happened to one recipient's copy of an envelope handed to the {@link OfflineQueue}. */
public enum EnqueueOutcome {
  /** Durably stored (committed) for the first time. */
  STORED,
  /** Already stored earlier (the same sender re-sent the same message id): nothing changed. */
  ALREADY_STORED,
  /** The recipient's queue is at its quota: not stored. */
  QUEUE_FULL,
  /** The sender already fills its share of the recipient's quota: not stored (others still can). */
  SENDER_SHARE_FULL,
  /** Receivers would already refuse the envelope as too old (section 9): not stored. */
  EXPIRED;

  /** True when the recipient's queue holds the envelope after this. */
  public boolean held() {
    return this == STORED || this == ALREADY_STORED;
  }
}
