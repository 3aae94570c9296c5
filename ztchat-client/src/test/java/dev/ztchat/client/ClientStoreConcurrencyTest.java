package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * client.db is shared by the history, outbox, groups, pins, acks, device sets and peer versions
 * (one connection) and by the session store (a second one). A window's threads use them at once:
 * the reader thread records what arrives while the user's thread sends and the session store saves
 * ratchet state. Every one of those operations must succeed, whatever runs beside it.
 */
class ClientStoreConcurrencyTest {
  static final Instant T0 = Instant.parse("2030-01-02T03:04:05Z");
  static final int ROUNDS = 300;
  static UserIdentity alice;

  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    alice = TestPki.create("alice").user("alice");
  }

  interface Step {
    void run(int round) throws Exception;
  }

  @Test
  void historyReads_peerVersionWrites_andSessionSaves_atOnce_allSucceed() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey key = AtRestKey.openOrCreate(store, alice);
      ConversationHistory history =
          new ConversationHistory(store, key, Clock.fixed(T0, ZoneOffset.UTC));
      StoredPeerVersions versions = new StoredPeerVersions(store);
      HexFormat hex = HexFormat.of();
      for (int i = 0; i < 200; i++) {
        history.recordIncoming("bob", hex.formatHex(id(i)), T0, "message " + i);
      }
      try (SqliteSessionStore sessions = SqliteSessionStore.open(store, key)) {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads =
            List.of(
                runner(go, failures, round -> history.recent("bob", 200)),
                runner(
                    go,
                    failures,
                    round ->
                        history.recordIncoming(
                            "carol", hex.formatHex(id(10_000 + round)), T0, "from carol")),
                runner(go, failures, round -> versions.proved("peer" + round, 2)),
                runner(go, failures, round -> sessions.savePrekeys(id(round))));
        go.countDown();
        for (Thread t : threads) {
          t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(history.recent("carol", ROUNDS + 1)).hasSize(ROUNDS);
        assertThat(versions.lowestVersion("peer" + (ROUNDS - 1))).isEqualTo(2);
      }
    }
  }

  private static Thread runner(CountDownLatch go, List<Throwable> failures, Step step) {
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    go.await();
                    for (int round = 0; round < ROUNDS; round++) {
                      step.run(round);
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
    return t;
  }

  private static byte[] id(int i) {
    byte[] id = new byte[16];
    id[0] = (byte) (i >> 24);
    id[1] = (byte) (i >> 16);
    id[2] = (byte) (i >> 8);
    id[3] = (byte) i;
    return id;
  }
}
