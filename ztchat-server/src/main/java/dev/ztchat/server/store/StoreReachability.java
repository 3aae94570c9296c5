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

  /**
   * One of several databases ({@link ShardedOfflineQueue}), not the first, stopped answering:
   * {@code shard} names it (never a password). Only the recipients whose queues it holds are
   * refused; everyone else is served.
   */
  default void shardLost(String shard, String reason) {}

  /** The database {@code shard} answers again. */
  default void shardRegained(String shard) {}
}
