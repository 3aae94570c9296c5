package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.session.PrekeyKind;
import dev.ztchat.core.testkit.MutableClock;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline queue and the prekey store share relay.db through two connections: a write on one
 * must never make the other's transaction fail (SQLite refuses to upgrade a read transaction to a
 * write one after another connection committed, whatever the busy timeout).
 */
class SharedRelayDbConcurrencyTest {
  private static final byte[] DEVICE = new byte[32];

  @TempDir Path dir;
  private final MutableClock clock = MutableClock.atRealNow();

  @Test
  void envelopesAreStored_whilePrekeysArePublishedAndHandedOut_onTheSameFile() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    AtomicBoolean stop = new AtomicBoolean();
    try (OfflineQueue queue = OfflineQueue.open(QueueLimits.defaults(dir), clock);
        SqlitePrekeyStore prekeys = SqlitePrekeyStore.open(dir, 100, clock)) {
      prekeys.publish(
          new PrekeyUpload(
              "carol",
              DEVICE,
              new byte[] {1, 2, 3},
              SqlitePrekeyStoreTest.prekey(PrekeyKind.SIGNED_X25519, 1),
              SqlitePrekeyStoreTest.prekey(PrekeyKind.LAST_RESORT_ML_KEM_768, 1),
              List.of()));
      Future<Integer> churn =
          pool.submit(
              () -> {
                int rounds = 0;
                for (long id = 1; !stop.get(); id++) {
                  prekeys.publish(
                      new PrekeyUpload(
                          "carol",
                          DEVICE,
                          null,
                          null,
                          null,
                          List.of(
                              SqlitePrekeyStoreTest.prekey(PrekeyKind.ONE_TIME_ML_KEM_768, id))));
                  prekeys.take("carol", DEVICE, true);
                  rounds++;
                  // interleave, as a relay's prekey traffic does; a loop that never lets go of
                  // the write lock would starve the queue past its busy timeout instead
                  Thread.sleep(1);
                }
                return rounds;
              });
      for (int i = 0; i < 300; i++) {
        String id = String.format("%032x", i);
        queue.enqueue(List.of("bob"), "alice", id, new byte[] {(byte) i});
        queue.remove("bob", "alice", id);
      }
      stop.set(true);
      assertThat(churn.get()).isPositive();
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }
}
