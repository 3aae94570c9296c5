package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.store.SqliteFiles;
import dev.ztchat.core.testkit.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue's delivery state per device (docs/v2/devices.md section 4): one stored copy with one
 * target per device, read and acknowledged per device, and the upgrade of a relay.db of schema
 * version 3 without losing a queued envelope.
 */
class OfflineQueueDevicesTest {
  @TempDir Path dir;

  final MutableClock clock = MutableClock.at(Instant.parse("2026-11-26T12:00:00Z"));

  static final String LAPTOP = "aa".repeat(32);
  static final String PHONE = "bb".repeat(32);

  static String id(int n) {
    return String.format("%032x", n);
  }

  OfflineQueue open() throws Exception {
    return OfflineQueue.open(QueueLimits.defaults(dir), clock);
  }

  void enqueueForBoth(OfflineQueue q, int n) throws Exception {
    q.enqueue(
        List.of("bob"),
        "alice",
        id(n),
        clock.millis(),
        new byte[] {(byte) n},
        r -> List.of(LAPTOP, PHONE),
        e -> {});
  }

  @Test
  void aCopyForOneDevice_keepsItsTargetInItsRow_andEachDeviceAcknowledgesOnlyItsOwn()
      throws Exception {
    Path file = dir.resolve("relay.db");
    try (OfflineQueue q = open()) {
      q.enqueue(
          List.of("bob"),
          "alice",
          id(1),
          clock.millis(),
          new byte[] {1},
          r -> List.of(LAPTOP),
          e -> {});
      enqueueForBoth(q, 2);
      // only the copy for two devices has rows of targets
      assertThat(StoreCounts.sqlite(file, "SELECT COUNT(*) FROM queue_targets")).isEqualTo(2);
      assertThat(q.targetsLeft("bob", "alice", id(1))).isEqualTo(1);
      assertThat(q.after("bob", PHONE, 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(2));
      assertThat(q.after("bob", LAPTOP, 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(1), id(2));

      assertThat(q.remove("bob", PHONE, "alice", id(1))).isFalse();
      assertThat(q.removeAll("bob", PHONE, List.of(alice(1), alice(2)))).isEqualTo(1);
      assertThat(q.targetsLeft("bob", "alice", id(1))).isEqualTo(1);
      assertThat(q.removeAll("bob", LAPTOP, List.of(alice(1), alice(2)))).isEqualTo(2);
      assertThat(q.totals().messages()).isZero();
      assertThat(StoreCounts.sqlite(file, "SELECT COUNT(*) FROM queue_targets")).isZero();
    }
  }

  private static EnvelopeId alice(int n) {
    return new EnvelopeId("alice", id(n));
  }

  @Test
  void upgradeFromSchema3_keepsEveryQueuedEnvelope_forTheFirstDeviceThatAcknowledges()
      throws Exception {
    try (OfflineQueue q = open()) {
      for (int i = 0; i < 3; i++) {
        q.enqueue(List.of("bob"), "alice", id(i), new byte[] {(byte) i});
      }
    }
    downgradeToSchema3();

    try (OfflineQueue q = open()) {
      assertThat(q.after("bob", LAPTOP, 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(0), id(1), id(2));
      assertThat(q.after("bob", PHONE, 0, 10)).hasSize(3);
      assertThat(q.after("bob", OfflineQueue.ANY_DEVICE, 0, 10)).hasSize(3);

      assertThat(q.remove("bob", LAPTOP, "alice", id(0))).isTrue();
      assertThat(q.after("bob", PHONE, 0, 10))
          .extracting(QueuedEnvelope::messageId)
          .containsExactly(id(1), id(2));
      assertThat(q.pending("bob")).isEqualTo(2);
    }
  }

  /**
   * Makes relay.db what version 3 of the schema left: each envelope's bytes in its row (no shared
   * bodies), no targets, no devices, version 3.
   */
  private void downgradeToSchema3() throws Exception {
    try (Connection c = SqliteFiles.openPrivate(dir.resolve("relay.db"), "test");
        Statement s = c.createStatement()) {
      s.execute("DROP TRIGGER bodies_go_with_their_last_copy");
      s.execute("DROP INDEX queue_by_body");
      // the bytes of a single recipient's envelope are in its row already
      s.execute(
          "UPDATE queue SET envelope = COALESCE(envelope, (SELECT envelope FROM bodies WHERE id ="
              + " queue.body))");
      s.execute("ALTER TABLE queue DROP COLUMN body");
      s.execute("DROP TABLE bodies");
      s.execute("DROP TRIGGER queue_targets_go_with_the_envelope");
      s.execute("DROP TABLE queue_targets");
      s.execute("ALTER TABLE queue DROP COLUMN device");
      s.execute("DROP TABLE devices");
      s.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
    }
  }
}
