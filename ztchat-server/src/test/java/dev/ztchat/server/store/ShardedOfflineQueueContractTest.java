package dev.ztchat.server.store;

import dev.ztchat.core.testing.DevPostgres;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The {@link OfflineQueueContract} against {@link ShardedOfflineQueue}: three real PostgreSQL
 * databases per test, the home first and the other two in one order or the other on each open
 * (their order must not matter).
 */
class ShardedOfflineQueueContractTest extends OfflineQueueContract {
  private static DevPostgres postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = DevPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  private List<String> databases;
  private int opened;

  @Override
  OfflineQueue open(QueueLimits limits) throws Exception {
    if (databases == null) {
      databases = List.of(postgres.newDatabase(), postgres.newDatabase(), postgres.newDatabase());
    }
    List<String> order =
        opened++ % 2 == 0
            ? databases
            : List.of(databases.get(0), databases.get(2), databases.get(1));
    return OfflineQueue.open(limits.withStore(String.join(",", order)), clock);
  }

  @Override
  long bodiesStored() throws Exception {
    long n = 0;
    for (String database : databases) {
      n += StoreCounts.postgres(database, "SELECT COUNT(*) FROM bodies");
    }
    return n;
  }

  /** One body per database that held two or more copies and still holds one of {@code left}. */
  @Override
  long bodiesLeft(OfflineQueue q, List<String> all, List<String> left) {
    ShardedOfflineQueue sharded = (ShardedOfflineQueue) q;
    return all.stream().collect(Collectors.groupingBy(sharded::shardDescription)).values().stream()
        .filter(copies -> copies.size() > 1 && copies.stream().anyMatch(left::contains))
        .count();
  }

  @Override
  long bodiesPerEnqueue(OfflineQueue q, List<String> recipients) {
    ShardedOfflineQueue sharded = (ShardedOfflineQueue) q;
    return recipients.stream()
        .collect(Collectors.groupingBy(sharded::shardDescription, Collectors.counting()))
        .values()
        .stream()
        .filter(n -> n > 1)
        .count();
  }
}
