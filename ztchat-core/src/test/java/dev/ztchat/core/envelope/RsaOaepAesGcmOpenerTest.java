package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testkit.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Round trips and addressing. Tampering, certificates, freshness and replay have their own tests.
 */
class RsaOaepAesGcmOpenerTest {
  private final MutableClock clock = MutableClock.atRealNow();

  @Test
  void aliceToBob_opensWithSenderRecipientsTimeIdAndText() throws Exception {
    SealedEnvelope e =
        Fixtures.sealer("alice", clock)
            .seal(MessageContent.text("hello bob"), Fixtures.recipients("bob"));

    OpenedMessage m = Fixtures.opener("bob", clock).open(e);

    assertThat(m.sender()).isEqualTo("alice");
    assertThat(m.recipients()).containsExactly("bob");
    assertThat(m.timestamp()).isEqualTo(clock.instant());
    assertThat(m.messageId()).isEqualTo(e.header().messageId());
    assertThat(m.messageIdHex()).hasSize(32);
    assertThat(m.kind()).isEqualTo(ContentKind.TEXT);
    assertThat(m.text()).isEqualTo("hello bob");
  }

  @Test
  void bobToAlice_opens() throws Exception {
    SealedEnvelope e =
        Fixtures.sealer("bob", clock)
            .seal(MessageContent.text("hi alice"), Fixtures.recipients("alice"));

    assertThat(Fixtures.opener("alice", clock).open(e).text()).isEqualTo("hi alice");
  }

  @Test
  void roundTrip_throughTheEncodedBytes_opens() throws Exception {
    SealedEnvelope e =
        Fixtures.sealer("alice", clock)
            .seal(MessageContent.text("über"), Fixtures.recipients("bob"));

    SealedEnvelope received = EnvelopeCodec.decode(EnvelopeCodec.encode(e));

    assertThat(Fixtures.opener("bob", clock).open(received).text()).isEqualTo("über");
  }

  @Test
  void carol_cannotOpenAMessageForBob_notForMe() {
    SealedEnvelope e =
        Fixtures.sealer("alice", clock)
            .seal(MessageContent.text("for bob"), Fixtures.recipients("bob"));

    assertThatThrownBy(() -> Fixtures.opener("carol", clock).open(e))
        .isInstanceOfSatisfying(
            EnvelopeRejectedException.class,
            r -> assertThat(r.reason()).isEqualTo(RejectionReason.NOT_FOR_ME))
        .hasMessageContaining("not addressed to this key");
  }

  @Test
  void multiRecipient_opensForEachRecipient() throws Exception {
    SealedEnvelope e =
        Fixtures.sealer("alice", clock)
            .seal(MessageContent.text("to you both"), Fixtures.recipients("bob", "carol"));

    assertThat(Fixtures.opener("bob", clock).open(e).text()).isEqualTo("to you both");
    assertThat(Fixtures.opener("carol", clock).open(e).text()).isEqualTo("to you both");
    assertThat(Fixtures.opener("bob", clock).open(e).recipients()).containsExactly("bob", "carol");
  }

  @Test
  void senderIncludingItself_canOpenItsOwnMessage() throws Exception {
    SealedEnvelope e =
        Fixtures.sealer("alice", clock)
            .seal(MessageContent.text("my copy"), Fixtures.recipients("bob", "alice"));

    assertThat(Fixtures.opener("alice", clock).open(e).text()).isEqualTo("my copy");
  }

  @Test
  void twoKeysOfOneUser_eachDeviceOpens() throws Exception {
    List<RecipientKey> keys =
        List.of(
            Fixtures.recipient("bob"),
            RecipientKey.of(Fixtures.BOB_LAPTOP.encryption().certificate()));
    SealedEnvelope e = Fixtures.sealer("alice", clock).seal(MessageContent.text("both"), keys);

    assertThat(Fixtures.opener("bob", clock).open(e).text()).isEqualTo("both");
    assertThat(Fixtures.opener(Fixtures.BOB_LAPTOP, clock, Fixtures::directory).open(e).text())
        .isEqualTo("both");
  }

  @Test
  void myNameButAnotherOfMyKeys_notForMe() {
    SealedEnvelope e =
        Fixtures.sealer("alice", clock)
            .seal(MessageContent.text("phone only"), Fixtures.recipients("bob"));

    assertThatThrownBy(
            () -> Fixtures.opener(Fixtures.BOB_LAPTOP, clock, Fixtures::directory).open(e))
        .isInstanceOfSatisfying(
            EnvelopeRejectedException.class,
            r -> assertThat(r.reason()).isEqualTo(RejectionReason.NOT_FOR_ME));
  }

  @Test
  void emptyText_roundTrips() throws Exception {
    SealedEnvelope e =
        Fixtures.sealer("alice", clock).seal(MessageContent.text(""), Fixtures.recipients("bob"));

    assertThat(Fixtures.opener("bob", clock).open(e).text()).isEmpty();
  }

  @Test
  void maximumSizeText_roundTrips() throws Exception {
    String max = "ß".repeat(MessageContent.MAX_BODY_BYTES / 2);
    SealedEnvelope e =
        Fixtures.sealer("alice", clock).seal(MessageContent.text(max), Fixtures.recipients("bob"));

    SealedEnvelope received = EnvelopeCodec.decode(EnvelopeCodec.encode(e));
    OpenedMessage m = Fixtures.opener("bob", clock).open(received);

    assertThat(m.text()).isEqualTo(max);
  }

  @Test
  void opener_withReplayGuardShorterThanPolicy_isRefused() {
    UserIdentity bob = Fixtures.user("bob");
    ReplayGuard shortMemory =
        ReplayGuard.inMemory(AcceptancePolicy.ofWindow(Duration.ofMinutes(1)), clock);

    assertThatThrownBy(
            () ->
                new RsaOaepAesGcmOpener(
                    bob,
                    Fixtures.VERIFIER,
                    Fixtures::directory,
                    shortMemory,
                    clock,
                    AcceptancePolicy.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same policy");
  }

  @Test
  void openedMessage_toStringNeverShowsTheText() throws Exception {
    SealedEnvelope e =
        Fixtures.sealer("alice", clock)
            .seal(MessageContent.text("the password is x"), Fixtures.recipients("bob"));

    assertThat(Fixtures.opener("bob", clock).open(e).toString()).doesNotContain("password");
  }
}
