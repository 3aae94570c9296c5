package dev.ztchat.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The version-2 attacks, each against a real relay with real version-2 clients behind a relay that
 * intercepts every frame: the verdict and what the observed text says.
 */
class V2AttacksIntegrationTest {
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
  void drop_oneMessageOfAVersion2Conversation_isReportedToBobWhenTheNextArrives() {
    Verdict v = run(new DropAttack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed()).contains("bob was told: \"").contains("from alice");
  }

  @Test
  void forwardSecrecy_stolenKeysAndState_openNoRecordedMessageBobHadRead() {
    Verdict v = run(new ForwardSecrecyAttack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed())
        .contains("opened: 0 of 3")
        .contains("not yet delivered at the theft OPENED")
        .contains("read messages -> [DECRYPTION_FAILED, DECRYPTION_FAILED, DECRYPTION_FAILED]")
        .contains("the unread one -> OPENED");
  }

  @Test
  void downgradeEnvelope_version1FromAPeerWhoSpokeVersion2_isRefusedAndAliceSendsNoVersion1() {
    Verdict v = run(new EnvelopeDowngradeAttack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed())
        .contains("signed by alice's keys -> DOWNGRADE")
        .contains("re-encoded as version 1 -> DOWNGRADE")
        .contains("version-1 envelopes alice sent bob: 0");
  }

  @Test
  void replayV2_everyCopy_isRefusedAsReplay() {
    Verdict v = run(new ReplayV2Attack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed())
        .contains("at once: REPLAY", "4 min later: REPLAY", "after restart: REPLAY");
  }

  @Test
  void tamperV2_everyByteInverted_isRefusedAndTheGenuineEnvelopeStillOpens() {
    Verdict v = run(new TamperV2Attack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed())
        .contains("delivered last: shown")
        .contains("altered messages shown: 0");
  }

  @Test
  void staleV2_skewedSenderClock_isRefused() {
    Verdict v = run(new StaleV2Attack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
  }

  @Test
  void keySubstitutionV2_forgedBundles_areRefusedAndNothingIsSent() {
    Verdict v = run(new KeySubstitutionV2Attack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed()).contains("envelopes sent under substitute bundles: 0");
  }

  @Test
  void ghostDevice_rogueDeviceRefused_certifiedDeviceToldAndNothingSealedToIt() {
    Verdict v = run(new GhostDeviceAttack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed())
        .contains("alice told of the certified device: true")
        .contains("envelopes sealed to a ghost device: 0");
  }

  @Test
  void hiddenDevice_writingToAlice_isShownToldWithItsFingerprintAndHeld() {
    Verdict v = run(new HiddenDeviceAttack());
    assertThat(v.outcome()).as(v.observed()).isEqualTo(Verdict.Outcome.HELD);
    assertThat(v.observed())
        .contains("alice told of a device never told of: true (with its fingerprint)")
        .contains("held: true")
        .contains("next message sealed to it: 0");
  }
}
