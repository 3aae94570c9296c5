package dev.ztchat.server.store;

import dev.ztchat.core.testing.DevPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The {@link PrekeyStoreContract} against PostgreSQL: a real server, a new database per test; two
 * stores on one database are two relay nodes.
 */
class PostgresPrekeyStoreContractTest extends PrekeyStoreContract {
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
  PrekeyStore open(int max) throws Exception {
    if (database == null) {
      database = postgres.newDatabase();
    }
    return PostgresPrekeyStore.open(PostgresUrl.parse(database), max, clock);
  }
}
