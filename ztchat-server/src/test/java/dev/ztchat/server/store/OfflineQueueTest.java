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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
  void envelopes_comeBackInArrivalOrder_perRecipient() throws Exception {
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(dir), clock)) {
      for (int i = 0; i < 10; i++) {
        q.enqueue(List.of("bob"), "alice", id(i), new byte[] {(byte) i});
      }
      q.enqueue(List.of("carol"), "alice", id(99), new byte[] {99});
      List<QueuedEnvelope> first = q.after("bob", 0, 4);
      assertThat(first)
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(0), id(1), id(2), id(3));
      List<QueuedEnvelope> rest = q.after("bob", first.getLast().seq(), 100);
      assertThat(rest)
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(4), id(5), id(6), id(7), id(8), id(9));
    }
  }

  @Test
  void sameMessageTwice_isStoredOnce() throws Exception {
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(dir), clock)) {
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1}))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1}))
          .containsEntry("bob", EnqueueOutcome.ALREADY_STORED);
      assertThat(q.pending("bob")).isEqualTo(1);
    }
  }

  @Test
  void acknowledgedEnvelope_isRemoved_andOnlyFromThatRecipient() throws Exception {
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(dir), clock)) {
      q.enqueue(List.of("bob", "carol"), "alice", id(1), new byte[] {1});
      assertThat(q.remove("bob", "alice", id(1))).isTrue();
      assertThat(q.remove("bob", "alice", id(1))).isFalse();
      assertThat(q.pending("bob")).isZero();
      assertThat(q.pending("carol")).isEqualTo(1);
    }
  }

  // The recipient's quota is filled by several senders, each within its share (a quarter by
  // default).

  @Test
  void recipientOverCountQuota_isRefused_othersUnaffected() throws Exception {
    try (OfflineQueue q =
        OfflineQueue.open(QueueLimits.defaults(dir).withQuota(4, 1 << 20), clock)) {
      for (int i = 0; i < 4; i++) {
        assertThat(q.enqueue(List.of("bob"), "s" + i, id(i), new byte[10]))
            .containsEntry("bob", EnqueueOutcome.STORED);
      }
      Map<String, EnqueueOutcome> r =
          q.enqueue(List.of("bob", "carol"), "alice", id(4), new byte[10]);
      assertThat(r)
          .containsEntry("bob", EnqueueOutcome.QUEUE_FULL)
          .containsEntry("carol", EnqueueOutcome.STORED);
    }
  }

  @Test
  void recipientOverByteQuota_isRefused() throws Exception {
    try (OfflineQueue q =
        OfflineQueue.open(
            QueueLimits.defaults(dir).withQuota(100, 8000).withSenderShare(50), clock)) {
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), new byte[4000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "carol", id(2), new byte[3000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "dave", id(3), new byte[1001]))
          .containsEntry("bob", EnqueueOutcome.QUEUE_FULL);
      assertThat(q.enqueue(List.of("bob"), "dave", id(4), new byte[1000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
    }
  }

  @Test
  void senderOverItsShareOfTheCount_isRefused_forThatRecipientOnly() throws Exception {
    try (OfflineQueue q =
        OfflineQueue.open(QueueLimits.defaults(dir).withQuota(8, 1 << 20), clock)) {
      assertThat(QueueLimits.defaults(dir).withQuota(8, 1 << 20).maxMessagesPerSender())
          .isEqualTo(2);
      q.enqueue(List.of("bob"), "alice", id(1), new byte[10]);
      q.enqueue(List.of("bob"), "alice", id(2), new byte[10]);
      Map<String, EnqueueOutcome> r =
          q.enqueue(List.of("bob", "carol"), "alice", id(3), new byte[10]);
      assertThat(r)
          .containsEntry("bob", EnqueueOutcome.SENDER_SHARE_FULL)
          .containsEntry("carol", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "dave", id(4), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      // a retry of what is stored is still "already stored"; an acknowledgement frees the share
      assertThat(q.enqueue(List.of("bob"), "alice", id(2), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.ALREADY_STORED);
      q.remove("bob", "alice", id(1));
      assertThat(q.enqueue(List.of("bob"), "alice", id(3), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
    }
  }

  @Test
  void senderOverItsShareOfTheBytes_isRefused() throws Exception {
    try (OfflineQueue q =
        OfflineQueue.open(QueueLimits.defaults(dir).withQuota(100, 40_000), clock)) {
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), new byte[9000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "alice", id(2), new byte[1001]))
          .containsEntry("bob", EnqueueOutcome.SENDER_SHARE_FULL);
      assertThat(q.enqueue(List.of("bob"), "alice", id(3), new byte[1000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(q.enqueue(List.of("bob"), "carol", id(4), new byte[9000]))
          .containsEntry("bob", EnqueueOutcome.STORED);
    }
  }

  @Test
  void sendersShare_isCountedFromTheTable_afterReopening() throws Exception {
    try (OfflineQueue q =
        OfflineQueue.open(QueueLimits.defaults(dir).withQuota(8, 1 << 20), clock)) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[10]);
      q.enqueue(List.of("bob"), "alice", id(2), new byte[10]);
    }
    try (OfflineQueue q =
        OfflineQueue.open(QueueLimits.defaults(dir).withQuota(8, 1 << 20), clock)) {
      assertThat(q.enqueue(List.of("bob"), "alice", id(3), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.SENDER_SHARE_FULL);
    }
  }

  @Test
  void envelopeSealedLongAgo_expiresWithTheReceiversWindow_notTheTtl() throws Exception {
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(dir), clock)) {
      long sealed =
          clock.instant().minus(QueueLimits.MAX_TTL).plus(Duration.ofHours(1)).toEpochMilli();
      q.enqueue(List.of("bob"), "alice", id(1), sealed, new byte[] {1}, e -> {});
      q.enqueue(List.of("bob"), "alice", id(2), new byte[] {2}); // sealed now
      clock.advance(Duration.ofMinutes(61));
      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(2));
      assertThat(q.purgeExpired()).isEqualTo(1);
    }
  }

  @Test
  void envelopeAlreadyPastTheWindow_isNotStored() throws Exception {
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(dir), clock)) {
      long sealed = clock.instant().minus(QueueLimits.MAX_TTL).minusMillis(1).toEpochMilli();
      assertThat(q.alreadyExpired(sealed)).isTrue();
      assertThat(q.enqueue(List.of("bob"), "alice", id(1), sealed, new byte[] {1}, e -> {}))
          .containsEntry("bob", EnqueueOutcome.EXPIRED);
      assertThat(q.pending("bob")).isZero();
      assertThat(q.contactsOf("bob")).isEmpty();
    }
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
  void contacts_areThoseWhoseEnvelopesWereStored_andSurviveReopening() throws Exception {
    try (OfflineQueue q =
        OfflineQueue.open(QueueLimits.defaults(dir).withQuota(4, 1 << 20), clock)) {
      q.enqueue(List.of("bob", "carol"), "alice", id(1), new byte[] {1});
      q.enqueue(List.of("bob"), "dave", id(2), new byte[] {2});
      q.recordContact("alice", "bob");
      assertThat(q.knownContact("bob", "alice")).isTrue();
      assertThat(q.knownContact("alice", "carol")).isFalse();
    }
    try (OfflineQueue q = OfflineQueue.open(QueueLimits.defaults(dir), clock)) {
      assertThat(q.knownContact("bob", "alice")).as("memory only: not read yet").isFalse();
      assertThat(q.contactsOf("bob")).containsExactlyInAnyOrder("alice", "dave");
      assertThat(q.contactsOf("carol")).containsExactly("alice");
      assertThat(q.contactsOf("alice")).containsExactly("bob");
      assertThat(q.contactsOf("dave")).isEmpty();
    }
  }

  @Test
  void expiredEnvelopes_areNotDelivered_andArePurged() throws Exception {
    try (OfflineQueue q =
        OfflineQueue.open(QueueLimits.defaults(dir).withTtl(Duration.ofHours(1)), clock)) {
      q.enqueue(List.of("bob"), "alice", id(1), new byte[] {1});
      clock.advance(Duration.ofMinutes(30));
      q.enqueue(List.of("bob"), "alice", id(2), new byte[] {2});
      clock.advance(Duration.ofMinutes(31));
      assertThat(q.after("bob", 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(2));
      assertThat(q.purgeExpired()).isEqualTo(1);
      assertThat(q.pending("bob")).isEqualTo(1);
    }
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
}
