package dev.ztchat.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code prekey-exhaustion} against a real relay (temporary PKI, loopback, real TLS, real SQLite
 * prekey store), and its verdict on recorded data in which the relay handed a prekey out twice.
 */
class PrekeyExhaustionAttackIntegrationTest {
  static AttackTarget target;
  static PrekeyDrainRecord recorded;

  @BeforeAll
  static void start() throws Exception {
    target = AttackTarget.startLocal();
    recorded = new PrekeyExhaustionAttack().observe(target);
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  private static List<PrekeyDrainRecord.Handout> byMallory() {
    return recorded.handouts().stream().filter(h -> h.requester().equals("mallory")).toList();
  }

  @Test
  void drainByOneIdentity_isHeld() {
    Verdict v = recorded.judge("mallory");

    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed()).contains("each handed out once").contains("PREKEY_DRAIN 5 times");
  }

  @Test
  void relay_handsMalloryThreeDistinctOneTimePrekeys_thenTheLastResortOne() {
    List<PrekeyDrainRecord.Handout> m = byMallory();

    assertThat(m).hasSize(8).allMatch(h -> h.error() == null);
    assertThat(m.subList(0, 3)).noneMatch(PrekeyDrainRecord.Handout::lastResort);
    assertThat(m.subList(0, 3).stream().map(PrekeyDrainRecord.Handout::kemPrekey))
        .doesNotHaveDuplicates()
        .isSubsetOf(recorded.publishedOneTime());
    assertThat(m.subList(3, 8))
        .allMatch(PrekeyDrainRecord.Handout::lastResort)
        .allMatch(h -> h.kemPrekey().equals(recorded.publishedLastResort()));
    assertThat(recorded.drainEvents()).as("one PREKEY_DRAIN per over-limit fetch").isEqualTo(5);
  }

  @Test
  void afterTheDrain_bobGetsAOneTimePrekeyMalloryDidNotGet_andHisSessionStarts() {
    PrekeyDrainRecord.Handout bob = recorded.handouts().get(recorded.handouts().size() - 1);

    assertThat(bob.requester()).isEqualTo("bob");
    assertThat(bob.lastResort()).as("the limit left the victim's supply for others").isFalse();
    assertThat(byMallory()).noneMatch(h -> bob.kemPrekey().equals(h.kemPrekey()));
    assertThat(recorded.sessionFailure()).isNull();
  }

  @Test
  void aRelayThatHandsAOneTimePrekeyOutTwice_isReportedBroken() {
    // the recorded run, with bob handed the first one-time prekey mallory already got
    List<PrekeyDrainRecord.Handout> replayed = new ArrayList<>(recorded.handouts());
    PrekeyDrainRecord.Handout first = replayed.get(0);
    replayed.set(
        replayed.size() - 1, PrekeyDrainRecord.Handout.bundle("bob", first.kemPrekey(), false));
    PrekeyDrainRecord tampered = withHandouts(replayed);

    Verdict v = tampered.judge("mallory");

    assertThat(v.outcome()).isEqualTo(Verdict.Outcome.BROKEN);
    assertThat(v.observed()).contains("already handed to mallory").contains("out twice");
  }

  @Test
  void aRelayThatLetsOneIdentityDrainEverything_isReportedBroken() {
    List<PrekeyDrainRecord.Handout> drained = new ArrayList<>();
    for (String p : recorded.publishedOneTime()) {
      drained.add(PrekeyDrainRecord.Handout.bundle("mallory", p, false));
    }
    drained.add(PrekeyDrainRecord.Handout.bundle("mallory", recorded.publishedLastResort(), true));

    Verdict v = withHandouts(drained).judge("mallory");

    assertThat(v.outcome()).isEqualTo(Verdict.Outcome.BROKEN);
    assertThat(v.observed()).contains("took 6 one-time prekeys").contains("did not stop");
  }

  @Test
  void aRelayThatRefusesOverTheLimit_orLogsNothing_orASessionThatFails_isReportedBroken() {
    List<PrekeyDrainRecord.Handout> refused = new ArrayList<>(recorded.handouts());
    refused.set(3, PrekeyDrainRecord.Handout.refused("mallory", "error rate_limited"));
    assertThat(withHandouts(refused).judge("mallory").observed()).contains("was refused");

    PrekeyDrainRecord silent =
        new PrekeyDrainRecord(
            recorded.publishedOneTime(),
            recorded.publishedLastResort(),
            recorded.handouts(),
            recorded.drainBurst(),
            0,
            null);
    assertThat(silent.judge("mallory").outcome()).isEqualTo(Verdict.Outcome.BROKEN);

    PrekeyDrainRecord noSession =
        new PrekeyDrainRecord(
            recorded.publishedOneTime(),
            recorded.publishedLastResort(),
            recorded.handouts(),
            recorded.drainBurst(),
            recorded.drainEvents(),
            "the bundle's signature does not verify");
    assertThat(noSession.judge("mallory").observed()).contains("no session could start");
  }

  private static PrekeyDrainRecord withHandouts(List<PrekeyDrainRecord.Handout> handouts) {
    return new PrekeyDrainRecord(
        recorded.publishedOneTime(),
        recorded.publishedLastResort(),
        handouts,
        recorded.drainBurst(),
        recorded.drainEvents(),
        recorded.sessionFailure());
  }
}
