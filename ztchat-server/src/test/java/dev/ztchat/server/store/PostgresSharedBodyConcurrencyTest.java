package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testkit.MutableClock;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes on one PostgreSQL database remove the last two copies of one shared body at the
 * same time: neither sees the other's uncommitted delete, yet the body must not be left behind.
 */
class PostgresSharedBodyConcurrencyTest {
  private static DevPostgres postgres;

  @TempDir Path dir;
  final MutableClock clock = MutableClock.atRealNow();

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

  @Test
  void theLastTwoCopiesRemovedAtOnceOnTwoNodes_takeTheBodyWithThem() throws Exception {
    String database = postgres.newDatabase();
    PostgresUrl url = PostgresUrl.parse(database);
    String id = "%032x".formatted(1);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (PostgresOfflineQueue one =
            PostgresOfflineQueue.open(url, QueueLimits.defaults(dir), clock);
        PostgresOfflineQueue two =
            PostgresOfflineQueue.open(url, QueueLimits.defaults(dir), clock)) {
      one.enqueue(List.of("bob", "carol"), "alice", id, new byte[] {1});
      CountDownLatch deleted = new CountDownLatch(1);
      CountDownLatch commit = new CountDownLatch(1);
      Future<?> bobsAck =
          threads.submit(
              () -> {
                one.transaction(
                    () -> {
                      one.remove("bob", "alice", id);
                      deleted.countDown();
                      await(commit);
                    });
                return null;
              });
      assertThat(deleted.await(30, TimeUnit.SECONDS)).isTrue();
      Future<Boolean> carolsAck = threads.submit(() -> two.remove("carol", "alice", id));
      waitForABlockedStatement(database);
      commit.countDown();
      bobsAck.get(30, TimeUnit.SECONDS);
      assertThat(carolsAck.get(30, TimeUnit.SECONDS)).isTrue();

      assertThat(one.totals().messages()).isZero();
      assertThat(StoreCounts.postgres(database, "SELECT COUNT(*) FROM bodies")).isZero();
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * Waits (up to 10 s) until a statement on {@code database} waits for a lock: carol's removal,
   * held up by bob's uncommitted one. A store that took no lock never waits; the test then goes on
   * and its assertions tell.
   */
  private static void waitForABlockedStatement(String database) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until) {
      if (StoreCounts.postgres(
              database,
              "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND"
                  + " wait_event_type = 'Lock'")
          > 0) {
        return;
      }
      Thread.sleep(20);
    }
  }

  private static void await(CountDownLatch latch) throws java.io.IOException {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new java.io.IOException("the test never let the transaction commit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.IOException(e);
    }
  }
}
