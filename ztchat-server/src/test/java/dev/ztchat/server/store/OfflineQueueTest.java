package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay's SQLite queue: order, idempotence, quotas, TTL, durability across reopen. */
class OfflineQueueTest {
  @TempDir Path dir;

  /** A clock the test moves by hand. */
  final MutableClock clock = MutableClock.at(Instant.parse("2026-11-26T12:00:00Z"));

  static String id(int n) {
    return String.format("%032x", n);
  }

  @Test
  void ttlLongerThanTheReceiversWindow_isRefused_withAClearMessage() {
    assertThatThrownBy(() -> QueueLimits.defaults(dir).withTtl(QueueLimits.MAX_TTL.plusSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--ttl")
        .hasMessageContaining("refused as stale");
    assertThat(QueueLimits.defaults(dir).withTtl(QueueLimits.MAX_TTL).ttl())
        .isEqualTo(QueueLimits.MAX_TTL);
  }

  @Test
  void senderShareOutOfRange_isRefused_namingTheOption() {
    assertThatThrownBy(() -> QueueLimits.defaults(dir).withSenderShare(0))
        .hasMessageContaining("--queue-sender-share");
    assertThatThrownBy(() -> QueueLimits.defaults(dir).withSenderShare(51))
        .hasMessageContaining("--queue-sender-share");
  }

  @Test
  void storeOfTheFirstSchema_isMigrated_andWaitingSendersBecomeContacts() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("relay.db"));
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      st.execute("INSERT INTO meta VALUES ('schema_version', '1')");
      st.execute(
          "CREATE TABLE queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL,"
              + " sender TEXT NOT NULL, message_id TEXT NOT NULL, envelope BLOB NOT NULL,"
              + " size INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
              + " UNIQUE (recipient, sender, message_id))");
      st.execute(
          "INSERT INTO queue (recipient, sender, message_id, envelope, size, enqueued_at,"
              + " expires_at) VALUES ('bob', 'alice', '"
              + id(1)
              + "', x'01', 1, 0, "
              + Long.MAX_VALUE
              + ")");
    }
    Files.setPosixFilePermissions(
        dir.resolve("relay.db"), PosixFilePermissions.fromString("rw-------"));
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(dir), clock)) {
      assertThat(q.contactsOf("bob")).containsExactly("alice");
      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(1));
    }
  }

  @Test
  void storedEnvelopes_surviveReopening_andTheFileIsPrivate() throws Exception {
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(dir), clock)) {
      q.enqueue(List.of("bob"), "alice", id(7), new byte[] {7, 7});
    }
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(dir), clock)) {
      assertThat(q.after("bob", 0, 10))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.messageId()).isEqualTo(id(7));
                assertThat(e.envelope()).containsExactly(7, 7);
              });
    }
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("relay.db"))))
        .isEqualTo("rw-------");
  }

  @Test
  void storeOfSchema4_isMigrated_keepingEveryQueuedEnvelopeItsOrderAndItsTargets()
      throws Exception {
    Path file = dir.resolve("relay.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      // schema 4 as its release created it
      st.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      st.execute("INSERT INTO meta VALUES ('schema_version', '4')");
      st.execute(
          "CREATE TABLE queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT"
              + " NULL, sender TEXT NOT NULL, message_id TEXT NOT NULL, envelope BLOB NOT"
              + " NULL, size INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, expires_at"
              + " INTEGER NOT NULL, UNIQUE (recipient, sender, message_id))");
      st.execute("CREATE INDEX queue_by_recipient ON queue (recipient, seq)");
      st.execute("CREATE INDEX queue_by_expiry ON queue (expires_at)");
      ContactBook.createTable(st);
      SqlitePrekeyStore.createTables(st);
      st.execute(
          "CREATE TABLE queue_targets (seq INTEGER NOT NULL, device TEXT NOT NULL, PRIMARY"
              + " KEY (seq, device)) WITHOUT ROWID");
      st.execute(
          "CREATE TRIGGER queue_targets_go_with_the_envelope AFTER DELETE ON queue BEGIN"
              + " DELETE FROM queue_targets WHERE seq = OLD.seq; END");
      st.execute(
          "CREATE TABLE devices (owner TEXT NOT NULL, device TEXT NOT NULL, registered_at"
              + " INTEGER NOT NULL, named INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (owner,"
              + " device))");
      // a group message stored once per recipient, then one for bob's two devices
      queueV4(st, "bob", id(1), "x'0101'", "*");
      queueV4(st, "carol", id(1), "x'0101'", "*");
      queueV4(st, "bob", id(2), "x'020202'", MigratedQueue.LAPTOP, MigratedQueue.PHONE);
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(dir), clock)) {
      MigratedQueue.readsInOrder_thenDrains(q);
    }
    assertThat(StoreCounts.sqlite(file, "SELECT COUNT(*) FROM bodies")).isZero();
  }

  private static void queueV4(
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
          "INSERT INTO queue_targets (seq, device) VALUES (last_insert_rowid(), '" + t + "')");
    }
  }
}
