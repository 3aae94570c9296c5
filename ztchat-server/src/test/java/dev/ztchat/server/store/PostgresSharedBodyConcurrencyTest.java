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
 * Two relay nodes on one PostgreSQL database remove copies of the same shared bodies at the same
 * time: neither waits for the other over a body, and no body outlives its last copy once the purge
 * ran.
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
  void theLastTwoCopiesRemovedAtOnceOnTwoNodes_leaveNoBodyOnceThePurgeRan() throws Exception {
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
      assertThat(threads.submit(() -> two.remove("carol", "alice", id)).get(30, TimeUnit.SECONDS))
          .as("carol's removal does not wait for bob's open transaction")
          .isTrue();
      commit.countDown();
      bobsAck.get(30, TimeUnit.SECONDS);

      assertThat(one.totals().messages()).isZero();
      two.purgeExpired();
      assertThat(StoreCounts.postgres(database, "SELECT COUNT(*) FROM bodies")).isZero();
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void twoNodesAckingCopiesOfTheSameBodiesInOppositeOrders_neitherBatchFails() throws Exception {
    String database = postgres.newDatabase();
    PostgresUrl url = PostgresUrl.parse(database);
    String first = "%032x".formatted(1);
    String second = "%032x".formatted(2);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (PostgresOfflineQueue one =
            PostgresOfflineQueue.open(url, QueueLimits.defaults(dir), clock);
        PostgresOfflineQueue two =
            PostgresOfflineQueue.open(url, QueueLimits.defaults(dir), clock)) {
      one.enqueue(List.of("bob", "carol"), "alice", first, new byte[] {1});
      one.enqueue(List.of("bob", "carol"), "alice", second, new byte[] {2});
      CountDownLatch bobsFirstGone = new CountDownLatch(1);
      CountDownLatch carolsSecondGone = new CountDownLatch(1);
      CountDownLatch bobsSecondDone = new CountDownLatch(1);
      CountDownLatch carolMayGoOn = new CountDownLatch(1);
      CountDownLatch bobMayCommit = new CountDownLatch(1);
      Future<?> bobsBatch =
          threads.submit(
              () -> {
                one.transaction(
                    () -> {
                      one.remove("bob", "alice", first);
                      bobsFirstGone.countDown();
                      await(carolsSecondGone);
                      one.remove("bob", "alice", second);
                      bobsSecondDone.countDown();
                      await(bobMayCommit);
                    });
                return null;
              });
      Future<?> carolsBatch =
          threads.submit(
              () -> {
                two.transaction(
                    () -> {
                      await(bobsFirstGone);
                      two.remove("carol", "alice", second);
                      carolsSecondGone.countDown();
                      await(carolMayGoOn);
                      two.remove("carol", "alice", first);
                    });
                return null;
              });
      waitUntilDoneOrBlocked(bobsSecondDone, database);
      carolMayGoOn.countDown();
      carolsBatch.get(30, TimeUnit.SECONDS);
      bobMayCommit.countDown();
      bobsBatch.get(30, TimeUnit.SECONDS);

      assertThat(one.totals().messages()).isZero();
      one.purgeExpired();
      assertThat(StoreCounts.postgres(database, "SELECT COUNT(*) FROM bodies")).isZero();
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * Waits (up to 10 s) until {@code done} opened or a statement on {@code database} waits for a
   * lock: bob's second removal, held up by carol's open transaction in a store that makes it wait.
   */
  private static void waitUntilDoneOrBlocked(CountDownLatch done, String database)
      throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until && !done.await(20, TimeUnit.MILLISECONDS)) {
      if (blockedStatements(database) > 0) {
        return;
      }
    }
  }

  private static long blockedStatements(String database) throws Exception {
    return StoreCounts.postgres(
        database,
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND"
            + " wait_event_type = 'Lock'");
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
