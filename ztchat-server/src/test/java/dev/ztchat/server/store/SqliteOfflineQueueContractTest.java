package dev.ztchat.server.store;

/** The {@link OfflineQueueContract} against the embedded SQLite store, relay.db in a folder. */
class SqliteOfflineQueueContractTest extends OfflineQueueContract {
  @Override
  OfflineQueue open(QueueLimits limits) throws Exception {
    return SqliteOfflineQueue.open(limits, clock);
  }
}
