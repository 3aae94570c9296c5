package dev.ztchat.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every attack against one freshly started real relay (temporary PKI, loopback, real TLS). A
 * defence that regresses turns its attack BROKEN (or unable to run) and fails the build.
 */
class AttackSuiteIntegrationTest {
  static AttackTarget target;

  @BeforeAll
  static void start() throws Exception {
    target = AttackTarget.startLocal();
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  static Stream<Attack> attacks() {
    return Attacks.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void everyAttack_isHeld_byARealRelayAndRealClients(Attack attack) {
    AttackRunner.Result r = AttackRunner.run(attack, target);
    System.out.println(AttackRunner.verdictLine(r) + " [" + r.millis() + " ms]");
    assertThat(r.verdict().outcome())
        .as(AttackRunner.verdictLine(r))
        .isEqualTo(Verdict.Outcome.HELD);
  }
}
