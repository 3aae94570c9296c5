package dev.ztchat.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The group attacks (docs/v2/groups.md), each against a real relay with real version-2 clients of
 * alice, bob and carol behind a relay that intercepts every frame: the verdict and what was seen.
 */
class GroupAttacksIntegrationTest {
  static AttackTarget target;

  @BeforeAll
  static void start() throws Exception {
    target = AttackTarget.startLocal();
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  private static Verdict run(Attack attack) {
    AttackRunner.Result r = AttackRunner.run(attack, target);
    System.out.println(AttackRunner.verdictLine(r) + " [" + r.millis() + " ms]");
    return r.verdict();
  }

  @Test
  void removedMember_laterGroupMessagesForwardedByTheRelay_openNothingForHer() {
    Verdict v = run(new RemovedMemberAttack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed())
        .contains("later messages shown to carol: 0")
        .contains("replayed -> REPLAY")
        .doesNotContain("SHOWN");
  }

  @Test
  void groupSpoof_forgedAuthorNonAdminChangesAndReplayedChange_areRefusedByEveryMember() {
    Verdict v = run(new GroupSpoofAttack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed())
        .contains("shown to alice as carol's")
        .contains("shown to bob as carol's")
        .contains("group texts shown as bob's: 0")
        .contains("adds dave (not an admin) -> alice: GROUP_REFUSED, bob: GROUP_REFUSED")
        .contains("removes alice (not an admin) -> alice: GROUP_REFUSED, bob: GROUP_REFUSED")
        .contains("replayed to bob -> REPLAY")
        .contains("changed by mallory: none");
  }
}
