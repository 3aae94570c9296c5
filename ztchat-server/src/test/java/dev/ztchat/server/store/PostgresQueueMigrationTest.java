package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testkit.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay's PostgreSQL store from before envelope bodies were shared (schema 5) is migrated at
 * start without losing, reordering or re-targeting anything queued.
 */
class PostgresQueueMigrationTest {
  private static DevPostgres postgres;

  @TempDir Path dir;
  final MutableClock clock = MutableClock.at(Instant.parse("2026-11-26T12:00:00Z"));

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

  static String id(int n) {
    return String.format("%032x", n);
  }

  @Test
  void storeOfSchema5_isMigrated_keepingEveryQueuedEnvelopeItsOrderAndItsTargets()
      throws Exception {
    String database = postgres.newDatabase();
    try (Connection c = StoreCounts.postgres(database);
        Statement st = c.createStatement()) {
      // the queue's tables of schema 5 as its release created them
      st.execute("CREATE TABLE ztchat_schema (version INTEGER NOT NULL)");
      st.execute("INSERT INTO ztchat_schema (version) VALUES (5)");
      st.execute(
          "CREATE TABLE queue (seq BIGSERIAL PRIMARY KEY, recipient TEXT NOT NULL, sender"
              + " TEXT NOT NULL, message_id TEXT NOT NULL, envelope BYTEA NOT NULL, size"
              + " INTEGER NOT NULL, enqueued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
              + " UNIQUE (recipient, sender, message_id))");
      st.execute("CREATE INDEX queue_by_recipient ON queue (recipient, seq)");
      st.execute("CREATE INDEX queue_by_expiry ON queue (expires_at)");
      st.execute(
          "CREATE TABLE queue_targets (seq BIGINT NOT NULL REFERENCES queue (seq) ON DELETE"
              + " CASCADE, device TEXT NOT NULL, PRIMARY KEY (seq, device))");
      st.execute(
          "CREATE TABLE contacts (owner TEXT NOT NULL, contact TEXT NOT NULL, PRIMARY KEY"
              + " (owner, contact))");
      // a group message stored once per recipient, then one for bob's two devices
      queueV5(st, "bob", id(1), "'\\x0101'", "*");
      queueV5(st, "carol", id(1), "'\\x0101'", "*");
      queueV5(st, "bob", id(2), "'\\x020202'", MigratedQueue.LAPTOP, MigratedQueue.PHONE);
    }
    try (OfflineQueue q =
        PostgresOfflineQueue.open(PostgresUrl.parse(database), QueueLimits.defaults(dir), clock)) {
      MigratedQueue.readsInOrder_thenDrains(q);
    }
    assertThat(StoreCounts.postgres(database, "SELECT COUNT(*) FROM bodies")).isZero();
  }

  private static void queueV5(
      Statement st, String recipient, String messageId, String envelope, String... targets)
      throws Exception {
    st.execute(
        "INSERT INTO queue (recipient, sender, message_id, envelope, size, enqueued_at,"
            + " expires_at) VALUES ('"
            + recipient
            + "', 'alice', '"
            + messageId
            + "', "
            + envelope
            + ", 2, 0, "
            + Long.MAX_VALUE
            + ")");
    for (String t : targets) {
      st.execute(
          "INSERT INTO queue_targets (seq, device) VALUES (currval('queue_seq_seq'), '" + t + "')");
    }
  }
}
