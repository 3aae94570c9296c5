package dev.ztchat.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code prekey-exhaustion} through a compromised relay that hands one one-time prekey out again
 * and again ({@link BundleReplayingRelay}, in front of a real relay): the attack must say NOT HELD.
 */
class PrekeyReplayingRelayIntegrationTest {
  @Test
  void aRelayThatHandsAOneTimePrekeyOutTwice_isReportedBroken() throws Exception {
    try (AttackTarget real = AttackTarget.startLocal();
        BundleReplayingRelay hostile = new BundleReplayingRelay(real);
        AttackTarget throughHostile =
            AttackTarget.remote("localhost", hostile.port(), real.certs().root())) {
      AttackRunner.Result r = AttackRunner.run(new PrekeyExhaustionAttack(), throughHostile);

      assertThat(r.verdict().outcome())
          .as(AttackRunner.verdictLine(r))
          .isEqualTo(Verdict.Outcome.BROKEN);
      assertThat(r.verdict().observed())
          .contains("bundle 2 (for mallory)")
          .contains("already handed to mallory")
          .contains("the relay handed one out twice");
    }
  }
}
