package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
  private final MutableClock clock = MutableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
  private final AcceptancePolicy policy = AcceptancePolicy.DEFAULT;
  private final long retention = policy.retention().toMillis();

  private static byte[] id(int n) {
    byte[] id = new byte[16];
    id[15] = (byte) n;
    return id;
  }

  @Test
  void firstSighting_thenSecond_isFalse() {
    ReplayGuard guard = ReplayGuard.inMemory(policy, clock);

    assertThat(guard.firstSighting("alice", id(1), clock.millis())).isTrue();
    assertThat(guard.firstSighting("alice", id(1), clock.millis())).isFalse();
  }

  @Test
  void sameIdFromAnotherSender_isAnotherMessage() {
    ReplayGuard guard = ReplayGuard.inMemory(policy, clock);

    assertThat(guard.firstSighting("alice", id(1), clock.millis())).isTrue();
    assertThat(guard.firstSighting("bob", id(1), clock.millis())).isTrue();
  }

  @Test
  void entries_areKeptForTheWholeRetention() {
    ReplayGuard guard = ReplayGuard.inMemory(policy, clock);
    long t = clock.millis();
    guard.firstSighting("alice", id(1), t);
    clock.advance(policy.retention());

    assertThat(guard.firstSighting("alice", id(2), clock.millis())).isTrue();
    assertThat(guard.size()).isEqualTo(2);
    assertThat(guard.firstSighting("alice", id(1), t)).isFalse();
  }

  @Test
  void entries_olderThanRetention_areEvictedAsTimePasses() {
    ReplayGuard guard = ReplayGuard.inMemory(policy, clock);
    for (int i = 0; i < 50; i++) {
      guard.firstSighting("alice", id(i), clock.millis());
    }
    assertThat(guard.size()).isEqualTo(50);

    clock.advance(policy.retention().plusMillis(1));
    guard.firstSighting("alice", id(200), clock.millis());

    assertThat(guard.size()).isEqualTo(1);
  }

  @Test
  void eviction_isByTheMessagesTimestamp_notByArrival() {
    ReplayGuard guard = ReplayGuard.inMemory(policy, clock);
    long now = clock.millis();
    guard.firstSighting("alice", id(1), now - policy.window().toMillis()); // oldest acceptable
    guard.firstSighting(
        "alice", id(2), now + policy.maxFutureSkew().toMillis()); // newest acceptable

    clock.advance(policy.maxFutureSkew().plusMillis(1));
    guard.firstSighting("alice", id(3), clock.millis());

    assertThat(guard.size()).isEqualTo(2); // id 1 dropped: its own timestamp left the retention
    assertThat(guard.firstSighting("alice", id(2), now + policy.maxFutureSkew().toMillis()))
        .isFalse();
  }

  @Test
  void overCapacity_dropsOldestAndTreatsEverythingUpToThemAsSeen() {
    ReplayGuard guard = new ReplayGuard(new InMemorySeenMessageStore(), policy, clock, 3);
    long t = clock.millis();
    for (int i = 0; i < 5; i++) {
      assertThat(guard.firstSighting("alice", id(i), t + i)).isTrue();
    }

    assertThat(guard.size()).isEqualTo(3);
    assertThat(guard.firstSighting("alice", id(0), t)).as("dropped, but under the floor").isFalse();
    assertThat(guard.firstSighting("carol", id(9), t + 1)).as("at the floor").isFalse();
    assertThat(guard.firstSighting("carol", id(9), t + 2)).as("above the floor").isTrue();
  }

  @Test
  void memory_isBoundedByMaxEntriesUnderAFlood() {
    ReplayGuard guard = new ReplayGuard(new InMemorySeenMessageStore(), policy, clock, 100);
    for (int i = 0; i < 1000; i++) {
      byte[] id = EnvelopeAlgorithms.randomBytes(16);
      guard.firstSighting("alice", id, clock.millis() + i % retention);
    }

    assertThat(guard.size()).isLessThanOrEqualTo(100);
  }

  @Test
  void maxEntries_belowOne_isRefused() {
    assertThatThrownBy(() -> new ReplayGuard(new InMemorySeenMessageStore(), policy, clock, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxEntries");
  }

  @Test
  void acceptancePolicy_outOfRange_isRefusedNamingTheSetting() {
    assertThatThrownBy(() -> AcceptancePolicy.ofWindow(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acceptance window");
    assertThatThrownBy(() -> new AcceptancePolicy(Duration.ofMinutes(5), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximum future skew");
    assertThat(AcceptancePolicy.DEFAULT.retention()).isEqualTo(Duration.ofDays(7).plusSeconds(30));
  }
}
