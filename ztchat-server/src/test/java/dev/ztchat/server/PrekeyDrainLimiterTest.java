package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The drain limits (docs/v2/prekeys.md section 5), with time from an injected clock. */
class PrekeyDrainLimiterTest {
  private final MutableClock clock = MutableClock.atRealNow();
  private final PrekeyDrainLimiter limiter =
      new PrekeyDrainLimiter(clock, 2, Duration.ofHours(1), 3, Duration.ofMinutes(10));

  @Test
  void pair_allowsTheBurst_thenOnePerInterval() {
    assertThat(limiter.tryTake("m", "a")).isEqualTo(PrekeyDrainLimiter.Verdict.ALLOWED);
    assertThat(limiter.tryTake("m", "a")).isEqualTo(PrekeyDrainLimiter.Verdict.ALLOWED);
    assertThat(limiter.tryTake("m", "a")).isEqualTo(PrekeyDrainLimiter.Verdict.PAIR_LIMIT);
    clock.advance(Duration.ofMinutes(59));
    assertThat(limiter.tryTake("m", "a")).isEqualTo(PrekeyDrainLimiter.Verdict.PAIR_LIMIT);
    clock.advance(Duration.ofMinutes(1));
    assertThat(limiter.tryTake("m", "a")).isEqualTo(PrekeyDrainLimiter.Verdict.ALLOWED);
    assertThat(limiter.tryTake("m", "a")).isEqualTo(PrekeyDrainLimiter.Verdict.PAIR_LIMIT);
  }

  @Test
  void requester_isLimitedOverAllTargets() {
    assertThat(limiter.tryTake("m", "a")).isEqualTo(PrekeyDrainLimiter.Verdict.ALLOWED);
    assertThat(limiter.tryTake("m", "b")).isEqualTo(PrekeyDrainLimiter.Verdict.ALLOWED);
    assertThat(limiter.tryTake("m", "c")).isEqualTo(PrekeyDrainLimiter.Verdict.ALLOWED);
    assertThat(limiter.tryTake("m", "d")).isEqualTo(PrekeyDrainLimiter.Verdict.REQUESTER_LIMIT);
    assertThat(limiter.tryTake("x", "d"))
        .as("others keep theirs")
        .isEqualTo(PrekeyDrainLimiter.Verdict.ALLOWED);
    clock.advance(Duration.ofMinutes(10));
    assertThat(limiter.tryTake("m", "d")).isEqualTo(PrekeyDrainLimiter.Verdict.ALLOWED);
  }

  @Test
  void aRefusedFetch_takesNoTokenFromTheOtherBucket() {
    limiter.tryTake("m", "a");
    limiter.tryTake("m", "a");
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryTake("m", "a")).isEqualTo(PrekeyDrainLimiter.Verdict.PAIR_LIMIT);
    }
    assertThat(limiter.tryTake("m", "b"))
        .as("pair refusals did not spend the requester's budget")
        .isEqualTo(PrekeyDrainLimiter.Verdict.ALLOWED);
  }
}
