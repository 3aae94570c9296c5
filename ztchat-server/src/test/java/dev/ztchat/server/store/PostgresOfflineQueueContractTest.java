package dev.ztchat.server.store;

import dev.ztchat.core.testing.DevPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The {@link OfflineQueueContract} against PostgreSQL: a real server, a new database per test. */
class PostgresOfflineQueueContractTest extends OfflineQueueContract {
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

  private String database;

  @Override
  OfflineQueue open(QueueLimits limits) throws Exception {
    if (database == null) {
      database = postgres.newDatabase();
    }
    return PostgresOfflineQueue.open(PostgresUrl.parse(database), limits, clock);
  }

  @Override
  long bodiesStored() throws Exception {
    return StoreCounts.postgres(database, "SELECT COUNT(*) FROM bodies");
  }
}
