package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

class BackoffTest {
  /** A generator that always draws {@code u} from [0, 1). */
  static RandomGenerator always(double u) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public double nextDouble() {
        return u;
      }
    };
  }

  static List<Long> millis(Backoff backoff, int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(backoff.next().toMillis());
    }
    return out;
  }

  @Test
  void reconnectPolicy_ceilingDoublesFrom500msAndStopsAt30s() {
    // Drawing the middle of each range shows the ceiling: half of 500, 1000, ... capped at 30 000.
    Backoff backoff = Backoff.forReconnect(always(0.5));

    assertThat(millis(backoff, 9))
        .containsExactly(250L, 500L, 1000L, 2000L, 4000L, 8000L, 15000L, 15000L, 15000L);
  }

  @Test
  void delays_stayWithinZeroAndTheCeiling_forEveryDraw() {
    Backoff backoff =
        Backoff.forReconnect(RandomGeneratorFactory.of("L64X128MixRandom").create(42));
    long ceiling = 500;
    for (int i = 0; i < 2_000; i++) {
      Duration d = backoff.next();
      assertThat(d).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofMillis(ceiling));
      ceiling = Math.min(30_000, ceiling * 2);
    }
  }

  @Test
  void delays_areJittered_notTheSameForEveryClient() {
    Backoff a = Backoff.forReconnect(RandomGeneratorFactory.of("L64X128MixRandom").create(1));
    Backoff b = Backoff.forReconnect(RandomGeneratorFactory.of("L64X128MixRandom").create(2));

    assertThat(millis(a, 8)).isNotEqualTo(millis(b, 8));
  }

  @Test
  void topOfTheRange_staysBelowTheMax_evenAfterManyAttempts() {
    Backoff backoff = Backoff.forReconnect(always(Math.nextDown(1.0)));
    Duration last = Duration.ZERO;
    for (int i = 0; i < 10_000; i++) {
      last = backoff.next();
    }

    assertThat(last)
        .isLessThanOrEqualTo(Backoff.RECONNECT_MAX)
        .isGreaterThan(Duration.ofMillis(29_999));
  }

  @Test
  void reset_startsAgainFromTheInitialCeiling() {
    Backoff backoff = Backoff.forReconnect(always(0.5));
    millis(backoff, 5);
    backoff.reset();

    assertThat(millis(backoff, 2)).containsExactly(250L, 500L);
  }

  @Test
  void generatorOutsideItsContract_cannotStretchTheDelay() {
    assertThat(Backoff.forReconnect(always(7.0)).next()).isEqualTo(Duration.ZERO);
    assertThat(Backoff.forReconnect(always(Double.NaN)).next()).isEqualTo(Duration.ZERO);
  }

  @Test
  void invalidSettings_areRefusedNamingTheSetting() {
    RandomGenerator r = always(0.5);
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, 2, Duration.ofSeconds(1), r))
        .hasMessageContaining("initial delay must be positive");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), 2, Duration.ofSeconds(1), r))
        .hasMessageContaining("max delay");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(2), r))
        .hasMessageContaining("factor");
  }
}
