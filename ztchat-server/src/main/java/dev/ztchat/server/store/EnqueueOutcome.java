package dev.ztchat.server.store;

/** What happened to one recipient's copy of an envelope handed to the {@link OfflineQueue}. */
public enum EnqueueOutcome {
  /** Durably stored (committed) for the first time. */
  STORED,
  /** Already stored earlier (the same sender re-sent the same message id): nothing changed. */
  ALREADY_STORED,
  /** The recipient's queue is at its quota: not stored. */
  QUEUE_FULL
}
