package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quota counts a PostgreSQL store keeps between enqueues ({@link KnownUsage}) against two relay
 * nodes on one database: what the other node stores is counted, what it removes frees room, and a
 * rolled-back enqueue counts for nothing.
 */
class PostgresKnownUsageTest {
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

  private static String id(int n) {
    return String.format("%032x", n);
  }

  private OfflineQueue node(String database, int quota) throws Exception {
    return PostgresOfflineQueue.open(
        PostgresUrl.parse(database),
        QueueLimits.defaults(dir).withQuota(quota, 1 << 20).withSenderShare(50),
        clock);
  }

  @Test
  void copiesStoredByAnotherNode_countForTheQuota_afterThisNodeCounted() throws Exception {
    String db = postgres.newDatabase();
    try (OfflineQueue one = node(db, 4);
        OfflineQueue two = node(db, 4)) {
      assertThat(one.enqueue(List.of("bob"), "alice", id(1), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED); // node one counts bob's queue: 1
      assertThat(two.enqueue(List.of("bob"), "carol", id(2), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(two.enqueue(List.of("bob"), "carol", id(3), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(one.enqueue(List.of("bob"), "alice", id(4), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED); // 4 of 4
      assertThat(one.enqueue(List.of("bob"), "dave", id(5), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.QUEUE_FULL);
      assertThat(one.pending("bob")).isEqualTo(4);
    }
  }

  @Test
  void copiesRemovedByAnotherNode_freeTheirRoom_forThisNode() throws Exception {
    String db = postgres.newDatabase();
    try (OfflineQueue one = node(db, 2);
        OfflineQueue two = node(db, 2)) {
      assertThat(one.enqueue(List.of("bob"), "alice", id(1), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(one.enqueue(List.of("bob"), "carol", id(2), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      // bob acknowledges the older copy on node two; node one still holds a count of 2
      assertThat(two.remove("bob", "alice", id(1))).isTrue();
      assertThat(one.enqueue(List.of("bob"), "dave", id(3), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      assertThat(one.enqueue(List.of("bob"), "erin", id(4), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.QUEUE_FULL);
    }
  }

  @Test
  void anEnqueueRolledBack_countsForNothing() throws Exception {
    String db = postgres.newDatabase();
    try (OfflineQueue one = node(db, 2)) {
      assertThat(one.enqueue(List.of("bob"), "alice", id(1), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
      try {
        one.transaction(
            () -> {
              one.enqueue(List.of("bob"), "carol", id(2), new byte[10]);
              throw new IOException("the batch fails after the enqueue");
            });
      } catch (IOException expected) {
        assertThat(expected).hasMessageContaining("the batch fails");
      }
      assertThat(one.pending("bob")).isEqualTo(1);
      assertThat(one.enqueue(List.of("bob"), "carol", id(3), new byte[10]))
          .containsEntry("bob", EnqueueOutcome.STORED);
    }
  }
}
