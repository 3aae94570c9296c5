package dev.ztchat.server.store;

/**
 * What a store on another machine tells the relay about its reachability: when it stops answering
 * and when it answers again ({@link OfflineQueue#watchReachability}). Called on the store's probing
 * thread, once per change; implementations return promptly.
 */
public interface StoreReachability {
  /** The store stopped answering; {@code reason} says what failed (never a password). */
  void lost(String reason);

  /** The store answers again. */
  void regained();
}
