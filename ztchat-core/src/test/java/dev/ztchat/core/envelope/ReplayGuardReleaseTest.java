package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver that opened an envelope but could not keep it releases its id: the redelivery opens
 * again.
 */
class ReplayGuardReleaseTest {
  @TempDir Path dir;
  final byte[] id = new byte[16];
  final long ts = System.currentTimeMillis();

  void releasedId_isNewAgain_andOtherIdsStaySeen(ReplayGuard guard) {
    byte[] other = new byte[16];
    other[0] = 1;
    assertThat(guard.firstSighting("alice", id, ts)).isTrue();
    assertThat(guard.firstSighting("alice", other, ts)).isTrue();

    guard.release("alice", id);

    assertThat(guard.firstSighting("alice", id, ts)).isTrue();
    assertThat(guard.firstSighting("alice", id, ts)).as("recorded again").isFalse();
    assertThat(guard.firstSighting("alice", other, ts)).isFalse();
  }

  @Test
  void inMemory_releasedIdIsNewAgain() {
    releasedId_isNewAgain_andOtherIdsStaySeen(
        ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, Clock.systemUTC()));
  }

  @Test
  void persistent_releasedIdIsNewAgain() throws Exception {
    try (ReplayGuard guard =
        ReplayGuard.persistent(
            dir.resolve("seen.db"), AcceptancePolicy.DEFAULT, Clock.systemUTC())) {
      releasedId_isNewAgain_andOtherIdsStaySeen(guard);
    }
  }
}
