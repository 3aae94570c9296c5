package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The scale-out bench waits for the nodes' acknowledgements as long as they keep coming: nodes that
 * are many seconds behind when the last envelope arrives are still counted in full. Time is a
 * counter advanced by the waits, never slept.
 */
class AcksAppliedTest {
  private long nanos;

  private long waitFor(long target, long perPoll, long ceiling) throws Exception {
    long[] count = {0};
    return AcksApplied.await(
        () -> count[0],
        target,
        () -> nanos,
        millis -> {
          nanos += TimeUnit.MILLISECONDS.toNanos(millis);
          count[0] = Math.min(ceiling, count[0] + perPoll);
        });
  }

  @Test
  void nodesFarBehind_areWaitedFor_aslongAsTheirCountMoves() throws Exception {
    assertThat(waitFor(30_000, 10, Long.MAX_VALUE)).isEqualTo(30_000);
    assertThat(nanos).as("300 s behind, well past the stall time").isEqualTo(300_000_000_000L);
  }

  @Test
  void aCountThatStandsStill_endsTheWaitAfterTheStallTime() throws Exception {
    assertThat(waitFor(1_000, 10, 600)).isEqualTo(600);
    assertThat(nanos - TimeUnit.SECONDS.toNanos(6))
        .isBetween(AcksApplied.STALL.toNanos(), AcksApplied.STALL.toNanos() + 200_000_000L);
  }

  @Test
  void theWaitEnds_atTheCap() throws Exception {
    assertThat(waitFor(Long.MAX_VALUE, 1, Long.MAX_VALUE)).isPositive();
    assertThat(nanos)
        .isBetween(AcksApplied.CAP.toNanos(), AcksApplied.CAP.toNanos() + 200_000_000L);
  }

  @Test
  void aCountAlreadyThere_isNotWaitedFor() throws Exception {
    assertThat(AcksApplied.await(() -> 5, 5, () -> nanos, millis -> nanos += millis)).isEqualTo(5);
    assertThat(nanos).isZero();
  }
}
