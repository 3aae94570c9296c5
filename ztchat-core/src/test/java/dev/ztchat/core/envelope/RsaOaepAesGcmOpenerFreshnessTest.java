package dev.ztchat.core.envelope;

import static dev.ztchat.core.envelope.Fixtures.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks 4 and 5 (PROTOCOL.md section 7): the acceptance window and replay detection. */
class RsaOaepAesGcmOpenerFreshnessTest {
  private final MutableClock senderClock = MutableClock.atRealNow();
  private final MutableClock receiverClock = MutableClock.at(senderClock.instant());

  private SealedEnvelope sealNow() {
    return Fixtures.sealer("alice", senderClock)
        .seal(MessageContent.text("now"), Fixtures.recipients("bob"));
  }

  @Test
  void open_exactlyWindowOld_isAccepted() throws Exception {
    SealedEnvelope e = sealNow();
    receiverClock.advance(AcceptancePolicy.DEFAULT_WINDOW);

    assertThat(Fixtures.opener("bob", receiverClock).open(e).text()).isEqualTo("now");
  }

  @Test
  void open_oneMillisecondOlderThanWindow_isStale() {
    SealedEnvelope e = sealNow();
    receiverClock.advance(AcceptancePolicy.DEFAULT_WINDOW.plusMillis(1));

    assertThat(rejection(Fixtures.opener("bob", receiverClock), e))
        .isEqualTo(RejectionReason.STALE);
  }

  @Test
  void open_exactlyMaxSkewAhead_isAccepted() throws Exception {
    senderClock.advance(AcceptancePolicy.DEFAULT_MAX_FUTURE_SKEW);

    assertThat(Fixtures.opener("bob", receiverClock).open(sealNow()).text()).isEqualTo("now");
  }

  @Test
  void open_oneMillisecondBeyondMaxSkew_isFromTheFuture() {
    senderClock.advance(AcceptancePolicy.DEFAULT_MAX_FUTURE_SKEW.plusMillis(1));

    assertThat(rejection(Fixtures.opener("bob", receiverClock), sealNow()))
        .isEqualTo(RejectionReason.FROM_THE_FUTURE);
  }

  @Test
  void open_withConfiguredWindow_usesIt() throws Exception {
    AcceptancePolicy oneMinute = AcceptancePolicy.ofWindow(Duration.ofMinutes(1));
    RsaOaepAesGcmOpener bob =
        new RsaOaepAesGcmOpener(
            Fixtures.user("bob"),
            Fixtures.VERIFIER,
            Fixtures::directory,
            ReplayGuard.inMemory(oneMinute, receiverClock),
            receiverClock,
            oneMinute);
    SealedEnvelope fresh = sealNow();
    senderClock.advance(Duration.ofSeconds(1));
    SealedEnvelope old = sealNow();
    receiverClock.advance(Duration.ofSeconds(61));

    assertThat(rejection(bob, fresh)).isEqualTo(RejectionReason.STALE);
    assertThat(bob.open(old).text()).isEqualTo("now");
  }

  @Test
  void open_sameEnvelopeTwice_isReplay() throws Exception {
    RsaOaepAesGcmOpener bob = Fixtures.opener("bob", receiverClock);
    SealedEnvelope e = sealNow();
    bob.open(e);

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.REPLAY);
  }

  @Test
  void open_replayOfAStaleEnvelope_isStaleNotReplay() throws Exception {
    RsaOaepAesGcmOpener bob = Fixtures.opener("bob", receiverClock);
    SealedEnvelope e = sealNow();
    bob.open(e);
    receiverClock.advance(AcceptancePolicy.DEFAULT_WINDOW.plusHours(1));

    assertThat(rejection(bob, e)).isEqualTo(RejectionReason.STALE);
  }

  @Test
  void open_replayAfterTheReceiverRestarted_isStillReplay(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("seen.db");
    SealedEnvelope e = sealNow();
    try (ReplayGuard guard =
        ReplayGuard.persistent(file, AcceptancePolicy.DEFAULT, receiverClock)) {
      opener(guard).open(e);
    }
    receiverClock.advance(Duration.ofSeconds(10));

    try (ReplayGuard restarted =
        ReplayGuard.persistent(file, AcceptancePolicy.DEFAULT, receiverClock)) {
      assertThat(rejection(opener(restarted), e)).isEqualTo(RejectionReason.REPLAY);
    }
  }

  @Test
  void open_rejectedBeforeTheSignatureCheck_doesNotUseUpTheId() throws Exception {
    RsaOaepAesGcmOpener bob = Fixtures.opener("bob", receiverClock);
    SealedEnvelope e = sealNow();
    SealedEnvelope badSignature =
        new SealedEnvelope(
            e.header(), e.keys(), e.nonce(), e.ciphertext(), Fixtures.flip(e.signature(), 0, 0));

    assertThat(rejection(bob, badSignature)).isEqualTo(RejectionReason.BAD_SIGNATURE);
    assertThat(bob.open(e).text()).isEqualTo("now");
  }

  @Test
  void open_sameIdFromAnotherSender_isNotAReplay() throws Exception {
    RsaOaepAesGcmOpener bob = Fixtures.opener("bob", receiverClock);
    byte[] id = EnvelopeAlgorithms.randomBytes(16);
    byte[] plaintext = MessageContent.text("same id").encode();
    SealedEnvelope fromAlice =
        Fixtures.sealer("alice", senderClock)
            .sealPlaintext(
                plaintext,
                Fixtures.recipients("bob"),
                EnvelopeAlgorithms.randomBytes(32),
                EnvelopeAlgorithms.randomBytes(12),
                id,
                senderClock.millis());
    SealedEnvelope fromCarol =
        Fixtures.sealer("carol", senderClock)
            .sealPlaintext(
                plaintext,
                Fixtures.recipients("bob"),
                EnvelopeAlgorithms.randomBytes(32),
                EnvelopeAlgorithms.randomBytes(12),
                id,
                senderClock.millis());

    assertThat(bob.open(fromAlice).sender()).isEqualTo("alice");
    assertThat(bob.open(fromCarol).sender()).isEqualTo("carol");
  }

  private RsaOaepAesGcmOpener opener(ReplayGuard guard) {
    return new RsaOaepAesGcmOpener(
        Fixtures.user("bob"),
        Fixtures.VERIFIER,
        Fixtures::directory,
        guard,
        receiverClock,
        AcceptancePolicy.DEFAULT);
  }
}
