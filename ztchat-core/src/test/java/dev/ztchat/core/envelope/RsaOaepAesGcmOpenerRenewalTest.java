package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testkit.MutableClock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After a renewal the user holds new keys, but envelopes sealed to the old encryption key may still
 * be queued on the relay: the opener reads them with the earlier key it is given, and only then.
 */
class RsaOaepAesGcmOpenerRenewalTest {
  private final MutableClock clock = MutableClock.atRealNow();
  private final UserIdentity oldBob = Fixtures.user("bob");

  /** Bob after `pki renew`: same name, new keys (the fixture's second bob identity). */
  private final UserIdentity renewedBob = Fixtures.BOB_LAPTOP;

  private RsaOaepAesGcmOpener renewedOpener(List<Credential> previous) {
    return new RsaOaepAesGcmOpener(
        renewedBob,
        previous,
        Fixtures.VERIFIER,
        Fixtures::directory,
        ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, clock),
        clock,
        AcceptancePolicy.DEFAULT,
        SenderRevocations.NONE);
  }

  @Test
  void anEnvelopeSealedToThePreviousKeyOpensWithThatKey() throws Exception {
    SealedEnvelope queued =
        Fixtures.sealer("alice", clock)
            .seal(MessageContent.text("sent before bob renewed"), Fixtures.recipients("bob"));

    OpenedMessage m = renewedOpener(List.of(oldBob.encryption())).open(queued);

    assertThat(m.text()).isEqualTo("sent before bob renewed");
  }

  @Test
  void anEnvelopeSealedToTheNewKeyStillOpens() throws Exception {
    SealedEnvelope fresh =
        Fixtures.sealer("alice", clock)
            .seal(
                MessageContent.text("after"),
                List.of(RecipientKey.of(renewedBob.encryption().certificate())));

    assertThat(renewedOpener(List.of(oldBob.encryption())).open(fresh).text()).isEqualTo("after");
  }

  @Test
  void withoutThePreviousKeyTheOldEnvelopeIsNotForMe() {
    SealedEnvelope queued =
        Fixtures.sealer("alice", clock)
            .seal(MessageContent.text("old"), Fixtures.recipients("bob"));

    assertThat(Fixtures.rejection(renewedOpener(List.of()), queued))
        .isEqualTo(RejectionReason.NOT_FOR_ME);
  }

  @Test
  void anotherUsersKeyCannotBeGivenAsMyPreviousKey() {
    assertThatThrownBy(() -> renewedOpener(List.of(Fixtures.user("carol").encryption())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("encryption certificate of bob");
  }

  @Test
  void mySigningKeyCannotBeGivenAsAPreviousEncryptionKey() {
    assertThatThrownBy(() -> renewedOpener(List.of(oldBob.signing())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("encryption certificate of bob");
  }
}
