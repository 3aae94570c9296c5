package dev.ztchat.server.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The {@link PrekeyStoreContract} against SQLite: the data folder's {@code relay.db}. */
class SqlitePrekeyStoreTest extends PrekeyStoreContract {
  @TempDir Path dir;

  @Override
  PrekeyStore open(int max) throws Exception {
    return SqlitePrekeyStore.open(dir, max, clock);
  }
}
