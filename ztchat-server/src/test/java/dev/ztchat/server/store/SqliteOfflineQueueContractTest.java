package dev.ztchat.server.store;

/** The {@link OfflineQueueContract} against the embedded SQLite store, relay.db in a folder. */
class SqliteOfflineQueueContractTest extends OfflineQueueContract {
  @Override
  OfflineQueue open(QueueLimits limits) throws Exception {
    return SqliteOfflineQueue.open(limits, clock);
  }

  @Override
  long bodiesStored() throws Exception {
    return StoreCounts.sqlite(dir.resolve("relay.db"), "SELECT COUNT(*) FROM bodies");
  }
}
