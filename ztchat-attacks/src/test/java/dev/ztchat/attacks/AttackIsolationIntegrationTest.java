package dev.ztchat.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testkit.RawFrameClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks run one after another on one target cannot decide each other's verdicts: the next attack
 * on a relay the suite started meets no envelope and no spent rate budget the previous one left.
 */
class AttackIsolationIntegrationTest {
  AttackTarget target;

  @BeforeEach
  void start() throws Exception {
    target = AttackTarget.startLocal();
  }

  @AfterEach
  void stop() {
    target.close();
  }

  /** Sends {@code count} pings back to back; how many the relay refused as rate_limited. */
  static int rateLimitedOf(RawFrameClient client, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      client.send(new Frame.Ping("p" + i));
    }
    int limited = 0;
    for (int answers = 0; answers < count; answers++) {
      Frame f = client.read(Duration.ofSeconds(5));
      if (f instanceof Frame.Error e && e.code() == ErrorCode.RATE_LIMITED) {
        limited++;
      }
    }
    return limited;
  }

  @Test
  void nextAttack_onALocalRelay_startsWithAFullRateBudgetAndNothingQueued() throws Exception {
    AttackRunner.run(new BombAttack(), target);
    try (RawFrameClient alice = AttackConnections.welcomed(target, "alice");
        RawFrameClient carol = AttackConnections.welcomed(target, "carol")) {
      assertThat(rateLimitedOf(alice, 70)).as("alice spent her budget").isPositive();
      carol.send(new Frame.Send("left", Envelopes.structural("carol", "bob")));
      assertThat(carol.answerTo("left", Duration.ofSeconds(5))).isInstanceOf(Frame.Sent.class);
    }

    target.beforeAttack();

    try (RawFrameClient alice = AttackConnections.welcomed(target, "alice")) {
      assertThat(rateLimitedOf(alice, 30)).as("frames refused as rate_limited").isZero();
    }
    try (RawFrameClient bob = AttackConnections.welcomed(target, "bob")) {
      assertThat(bob.silentFor(Duration.ofMillis(1500)))
          .as("nothing the earlier attack left is delivered to bob")
          .isTrue();
    }
  }
}
