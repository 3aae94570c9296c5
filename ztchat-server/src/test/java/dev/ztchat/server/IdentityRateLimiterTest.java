package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.CertsLayout;
import io.github.bucket4j.TimeMeter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdentityRateLimiterTest {
  /** Time that moves only when the test says so. */
  static final class FakeTime implements TimeMeter {
    long nanos;

    @Override
    public long currentTimeNanos() {
      return nanos;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }

    void advanceMillis(long ms) {
      nanos += TimeUnit.MILLISECONDS.toNanos(ms);
    }
  }

  @Test
  void burstIsAllowed_thenTheNextFrameIsRefused() {
    IdentityRateLimiter limiter = new IdentityRateLimiter(20, 40, new FakeTime());
    for (int i = 0; i < 40; i++) {
      assertThat(limiter.tryAcquire("alice")).as("frame %d", i).isTrue();
    }
    assertThat(limiter.tryAcquire("alice")).isFalse();
  }

  @Test
  void anIdentityConnectedToTwoNodes_getsHalfItsBurstOnEach_andOthersTheirWhole() {
    IdentityRateLimiter limiter =
        new IdentityRateLimiter(20, 40, new FakeTime(), id -> id.equals("alice") ? 2 : 1);
    for (int i = 0; i < 20; i++) {
      assertThat(limiter.tryAcquire("alice")).as("frame %d", i).isTrue();
    }
    assertThat(limiter.tryAcquire("alice")).as("her share here is spent").isFalse();
    for (int i = 0; i < 40; i++) {
      assertThat(limiter.tryAcquire("bob")).as("frame %d", i).isTrue();
    }
  }

  @Test
  void moreNodesThanTheBurst_stillLetAFrameThroughWhenTheBucketIsFull() {
    IdentityRateLimiter limiter = new IdentityRateLimiter(1, 2, new FakeTime(), id -> 5);
    assertThat(limiter.tryAcquire("alice")).isTrue();
    assertThat(limiter.tryAcquire("alice")).isFalse();
  }

  @Test
  void tokensComeBackAtTheConfiguredRate() {
    FakeTime time = new FakeTime();
    IdentityRateLimiter limiter = new IdentityRateLimiter(20, 40, time);
    while (limiter.tryAcquire("alice")) {
      // drain
    }
    time.advanceMillis(100); // 20 per second: 2 tokens
    assertThat(limiter.tryAcquire("alice")).isTrue();
    assertThat(limiter.tryAcquire("alice")).isTrue();
    assertThat(limiter.tryAcquire("alice")).isFalse();
  }

  @Test
  void oneIdentityOverItsLimit_doesNotSlowDownAnother() {
    IdentityRateLimiter limiter = new IdentityRateLimiter(1, 2, new FakeTime());
    while (limiter.tryAcquire("alice")) {
      // drain alice's bucket
    }
    assertThat(limiter.tryAcquire("bob")).isTrue();
    assertThat(limiter.tryAcquire("bob")).isTrue();
  }

  @Test
  void config_rejectsARateOfZero_namingTheOption() {
    RelayServerConfig defaults = RelayServerConfig.defaults(new CertsLayout(Path.of("certs")));
    assertThat(defaults.messagesPerSecond()).isEqualTo(20);
    assertThat(defaults.burst()).isEqualTo(40);
    assertThatThrownBy(() -> defaults.withRateLimit(0, 40))
        .hasMessageContaining("--rate 0 is out of range");
    assertThatThrownBy(() -> defaults.withRateLimit(20, 0))
        .hasMessageContaining("--burst 0 is out of range");
    assertThat(defaults.withRateLimit(5, 7).withPort(0).burst()).isEqualTo(7);
  }
}
