package dev.ztchat.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.session.LedgerNotice.Kind;
import dev.ztchat.core.session.LedgerReport.Arrival;
import dev.ztchat.core.session.LedgerReport.History;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two devices' ledgers, with the test as the relay in between: it carries, drops, reorders and
 * duplicates messages, and the ledgers must say so (docs/v2/conversation-ledger.md).
 */
class ConversationLedgerTest {
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final ConversationLedger alice = ConversationLedger.create();
  private final ConversationLedger bob = ConversationLedger.create();

  /** One message in flight: its id, when it was written, and its commitment. */
  record Msg(byte[] id, Instant at, LedgerCommitment c) {}

  private static byte[] id(String from, long n) {
    return ByteBuffer.allocate(16)
        .put(from.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .putLong(8, n)
        .array();
  }

  private int counter;

  private Msg send(ConversationLedger from, String name) {
    byte[] id = id(name, ++counter);
    return new Msg(id, now, from.nextOutgoing(id, now));
  }

  private static LedgerReport deliver(ConversationLedger to, Msg m, Instant at) {
    return to.receive(m.c(), m.id(), m.at(), at);
  }

  private LedgerReport deliver(ConversationLedger to, Msg m) {
    return deliver(to, m, now);
  }

  private void tick(Duration d) {
    now = now.plus(d);
  }

  @Test
  void inOrderExchange_isQuiet_andEachSideConfirmsTheOther() {
    for (int i = 0; i < 3; i++) {
      assertThat(deliver(bob, send(alice, "alice")).isQuiet()).isTrue();
      LedgerReport r = deliver(alice, send(bob, "bob"));
      assertThat(r.isQuiet()).isTrue();
      assertThat(r.history()).isEqualTo(History.CONSISTENT);
      assertThat(r.arrival()).isEqualTo(Arrival.IN_ORDER);
    }
    assertThat(alice.unconfirmedCount()).isZero();
    assertThat(bob.unconfirmedCount()).isEqualTo(1);
  }

  @Test
  void dropInTheMiddle_isMissingAtTheNextMessage_thenLostAfterTheWait_andTheSenderIsTold() {
    Msg m1 = send(bob, "bob");
    send(bob, "bob"); // #2: the relay drops it
    Msg m3 = send(bob, "bob");
    assertThat(deliver(alice, m1).isQuiet()).isTrue();

    LedgerReport r = deliver(alice, m3);

    assertThat(r.arrival()).isEqualTo(Arrival.AHEAD_OF_GAP);
    assertThat(r.missing()).containsExactly(SeqRange.of(2));
    assertThat(r.notices())
        .containsExactly(new LedgerNotice(Kind.PEER_MESSAGES_MISSING, SeqRange.of(2)));
    assertThat(r.notices().get(0).describe("bob"))
        .isEqualTo("Message #2 from bob has not arrived yet, though later ones did.");
    assertThat(alice.missing()).containsExactly(SeqRange.of(2));

    tick(ConversationLedger.DEFAULT_GAP_WAIT);
    LedgerReport later = alice.refresh(now);
    assertThat(later.lost()).containsExactly(SeqRange.of(2));
    assertThat(later.notices().get(0).describe("bob"))
        .isEqualTo(
            "Message #2 from bob never arrived: the relay may have dropped it."
                + " Ask bob to send it again.");
    assertThat(alice.missing()).isEmpty();

    LedgerReport atBob = deliver(bob, send(alice, "alice"));
    assertThat(atBob.history()).isEqualTo(History.CONSISTENT);
    assertThat(atBob.peerLostMine()).containsExactly(SeqRange.of(2));
    assertThat(atBob.notices())
        .containsExactly(new LedgerNotice(Kind.MY_MESSAGES_LOST_BY_PEER, SeqRange.of(2)));
  }

  @Test
  void aMessageSealedAgainAfterTheRelayRefusedIt_keepsItsNumber_soThePeerSeesNoGap() {
    Msg refused = send(bob, "bob"); // #1: the relay answered "full", stored nothing
    Msg next = send(bob, "bob"); // #2 went out meanwhile

    Msg again = new Msg(refused.id(), now, bob.outgoingAgain(refused.id(), now));

    assertThat(again.c().seq()).isEqualTo(1);
    assertThat(deliver(alice, next).missing()).containsExactly(SeqRange.of(1));
    LedgerReport r = deliver(alice, again);
    assertThat(r.arrival()).isEqualTo(Arrival.OUT_OF_ORDER);
    assertThat(alice.missing()).isEmpty();
    tick(ConversationLedger.DEFAULT_GAP_WAIT);
    assertThat(alice.refresh(now).lost()).as("nothing is ever reported lost").isEmpty();
    LedgerReport atBob = deliver(bob, send(alice, "alice"));
    assertThat(atBob.history()).isEqualTo(History.CONSISTENT);
    assertThat(atBob.isQuiet()).isTrue();
    assertThat(bob.unconfirmedCount()).isZero();
  }

  @Test
  void anIdNotAmongTheUnconfirmed_isGivenTheNextNumber() {
    Msg confirmed = send(bob, "bob");
    deliver(alice, confirmed);
    deliver(bob, send(alice, "alice")); // alice confirms #1: bob forgets its id

    assertThat(bob.outgoingAgain(confirmed.id(), now).seq()).isEqualTo(2);
    assertThat(bob.outgoingAgain(id("bob", 99), now).seq()).isEqualTo(3);
  }

  @Test
  void dropAtTheEnd_isDetectedByTheNextMessageThatGetsThrough() {
    deliver(alice, send(bob, "bob"));
    send(bob, "bob"); // #2, the last of a burst: dropped; nothing more comes for a while
    assertThat(alice.refresh(now.plus(Duration.ofHours(1))).isQuiet()).isTrue();

    tick(Duration.ofHours(1));
    LedgerReport r = deliver(alice, send(bob, "bob"));

    assertThat(r.missing()).containsExactly(SeqRange.of(2));
    tick(ConversationLedger.DEFAULT_GAP_WAIT);
    assertThat(alice.refresh(now).lost()).containsExactly(SeqRange.of(2));
  }

  @Test
  void myLastMessageDropped_peerRepliesLater_isToldNotYetReceived_thenLost() {
    deliver(bob, send(alice, "alice"));
    send(alice, "alice"); // #2: dropped
    tick(Duration.ofMinutes(10));

    LedgerReport r = deliver(alice, send(bob, "bob"));

    assertThat(r.peerNotYetReceivedMine()).containsExactly(SeqRange.of(2));
    assertThat(r.notices())
        .containsExactly(
            new LedgerNotice(Kind.MY_MESSAGES_NOT_YET_RECEIVED_BY_PEER, SeqRange.of(2)));
    // Told once, not on every later message.
    assertThat(deliver(alice, send(bob, "bob")).peerNotYetReceivedMine()).isEmpty();
  }

  @Test
  void reordering_isReportedOutOfOrder_andNothingIsLost() {
    Msg m1 = send(bob, "bob");
    Msg m2 = send(bob, "bob");
    Msg m3 = send(bob, "bob");
    deliver(alice, m1);
    assertThat(deliver(alice, m3).missing()).containsExactly(SeqRange.of(2));

    LedgerReport r = deliver(alice, m2);

    assertThat(r.arrival()).isEqualTo(Arrival.OUT_OF_ORDER);
    assertThat(r.notices())
        .containsExactly(new LedgerNotice(Kind.PEER_MESSAGE_OUT_OF_ORDER, SeqRange.of(2)));
    tick(Duration.ofHours(1));
    assertThat(alice.refresh(now).isQuiet()).isTrue();
    LedgerReport atBob = deliver(bob, send(alice, "alice"));
    assertThat(atBob.history()).isEqualTo(History.CONSISTENT);
    assertThat(atBob.isQuiet()).isTrue();
    assertThat(bob.unconfirmedCount()).isZero();
  }

  @Test
  void duplicateSequence_isReported_andNotCounted() {
    Msg m1 = send(bob, "bob");
    deliver(alice, m1);
    Msg copy = new Msg(id("other", 99), m1.at(), m1.c());

    LedgerReport r = deliver(alice, copy);

    assertThat(r.arrival()).isEqualTo(Arrival.DUPLICATE_SEQUENCE);
    assertThat(r.notices())
        .containsExactly(new LedgerNotice(Kind.PEER_SEQUENCE_INVALID, SeqRange.of(1)));
    assertThat(deliver(bob, send(alice, "alice")).history()).isEqualTo(History.CONSISTENT);
  }

  @Test
  void lateArrival_afterBeingReportedLost_isToldAsLate() {
    deliver(alice, send(bob, "bob"));
    Msg m2 = send(bob, "bob");
    deliver(alice, send(bob, "bob"));
    tick(ConversationLedger.DEFAULT_GAP_WAIT);
    alice.refresh(now);

    LedgerReport r = deliver(alice, m2);

    assertThat(r.arrival()).isEqualTo(Arrival.LATE);
    assertThat(r.notices())
        .containsExactly(new LedgerNotice(Kind.PEER_MESSAGE_LATE, SeqRange.of(2)));
  }

  @Test
  void peerMissingMyMessage_afterItsGapExpires_isToldToMe() {
    Msg a1 = send(alice, "alice");
    send(alice, "alice"); // #2 dropped
    Msg a3 = send(alice, "alice");
    deliver(bob, a1);
    deliver(bob, a3);
    tick(ConversationLedger.DEFAULT_GAP_WAIT);
    assertThat(bob.refresh(now).lost()).containsExactly(SeqRange.of(2));

    LedgerReport r = deliver(alice, send(bob, "bob"));

    assertThat(r.history()).isEqualTo(History.CONSISTENT);
    assertThat(r.peerLostMine()).containsExactly(SeqRange.of(2));
    assertThat(r.notices().get(0).describe("bob"))
        .isEqualTo(
            "Your message #2 never reached bob: the relay may have dropped it. Send it again.");
    assertThat(alice.unconfirmedCount()).isZero();
  }

  @Test
  void forgedChain_isHistoryMismatch_andStaysSo() {
    deliver(bob, send(alice, "alice"));
    Msg reply = send(bob, "bob");
    byte[] chain = reply.c().chain();
    chain[0] ^= 1;
    LedgerCommitment forged =
        new LedgerCommitment(
            reply.c().seq(), reply.c().covered(), reply.c().lostTotal(), chain, List.of());

    LedgerReport r = alice.receive(forged, reply.id(), reply.at(), now);

    assertThat(r.history()).isEqualTo(History.MISMATCH);
    assertThat(r.notices().get(0).kind()).isEqualTo(Kind.HISTORY_MISMATCH);
    assertThat(alice.historyDiverged()).isTrue();
    assertThat(deliver(alice, send(bob, "bob")).history()).isEqualTo(History.MISMATCH);
  }

  @Test
  void peerSawADifferentMessageOfMine_isHistoryMismatch() {
    Msg a1 = send(alice, "alice");
    // The peer received a message #1 with another id than the one alice sent.
    deliver(bob, new Msg(id("forged", 1), a1.at(), a1.c()));

    assertThat(deliver(alice, send(bob, "bob")).history()).isEqualTo(History.MISMATCH);
  }

  @Test
  void peerClaimingMessagesIWroteNever_isHistoryMismatch() {
    deliver(bob, send(alice, "alice"));
    Msg reply = send(bob, "bob");
    LedgerCommitment c = reply.c();
    LedgerCommitment inflated =
        new LedgerCommitment(c.seq(), c.covered() + 1, c.lostTotal(), c.chain(), List.of());

    assertThat(alice.receive(inflated, reply.id(), reply.at(), now).history())
        .isEqualTo(History.MISMATCH);
  }

  @Test
  void lostMarkerHiddenFromTheRanges_isHistoryMismatch() {
    Msg a1 = send(alice, "alice");
    send(alice, "alice");
    deliver(bob, a1);
    deliver(bob, send(alice, "alice"));
    tick(ConversationLedger.DEFAULT_GAP_WAIT);
    bob.refresh(now);
    Msg reply = send(bob, "bob");
    LedgerCommitment c = reply.c();
    LedgerCommitment hidden =
        new LedgerCommitment(c.seq(), c.covered(), c.lostTotal(), c.chain(), List.of());

    assertThat(alice.receive(hidden, reply.id(), reply.at(), now).history())
        .isEqualTo(History.MISMATCH);
  }

  @Test
  void sequenceFarBeyondTheHighestSeen_isRefusedAsImplausible_andNotCounted() {
    Msg m = send(bob, "bob");
    LedgerCommitment c = m.c();
    LedgerCommitment far =
        new LedgerCommitment(
            ConversationLedger.MAX_JUMP + 2, c.covered(), c.lostTotal(), c.chain(), List.of());

    LedgerReport r = alice.receive(far, m.id(), m.at(), now);

    assertThat(r.arrival()).isEqualTo(Arrival.IMPLAUSIBLE_SEQUENCE);
    assertThat(r.notices().get(0).kind()).isEqualTo(Kind.PEER_SEQUENCE_INVALID);
    assertThat(alice.missing()).isEmpty();
    assertThat(deliver(alice, m).arrival()).isEqualTo(Arrival.IN_ORDER);
  }

  @Test
  void longRunOfDrops_keepsTheOpenSpanBounded() {
    for (int i = 0; i < 3; i++) {
      for (int k = 0; k < ConversationLedger.MAX_JUMP; k++) {
        send(bob, "bob");
      }
      deliver(alice, send(bob, "bob"));
    }

    assertThat(alice.missing().stream().mapToLong(SeqRange::count).sum())
        .isLessThanOrEqualTo(ConversationLedger.MAX_SPAN);
  }

  @Test
  void moreLostRangesThanACommitmentCarries_isUnverifiable_thenChecksAgain() {
    int ranges = LedgerCommitment.MAX_RANGES + 1;
    for (int i = 0; i < ranges; i++) {
      deliver(bob, send(alice, "alice"));
      send(alice, "alice"); // every second message dropped
    }
    deliver(bob, send(alice, "alice"));
    tick(ConversationLedger.DEFAULT_GAP_WAIT);
    assertThat(bob.refresh(now).lost()).hasSize(ranges);

    LedgerReport r = deliver(alice, send(bob, "bob"));

    assertThat(r.history()).isEqualTo(History.UNVERIFIABLE);
    assertThat(r.peerLostMine()).hasSize(LedgerCommitment.MAX_RANGES);
    assertThat(r.notices()).extracting(LedgerNotice::kind).contains(Kind.HISTORY_UNVERIFIABLE);
    deliver(bob, send(alice, "alice"));
    assertThat(deliver(alice, send(bob, "bob")).history()).isEqualTo(History.CONSISTENT);
  }

  @Test
  void moreUnconfirmedMessagesThanKept_isUnverifiable_thenChecksAgain() {
    for (int i = 0; i <= ConversationLedger.MAX_UNCONFIRMED; i++) {
      deliver(bob, send(alice, "alice"));
    }

    assertThat(deliver(alice, send(bob, "bob")).history()).isEqualTo(History.UNVERIFIABLE);
    deliver(bob, send(alice, "alice"));
    assertThat(deliver(alice, send(bob, "bob")).history()).isEqualTo(History.CONSISTENT);
  }

  @Test
  void stateRoundTrip_midConversationWithGaps_behavesTheSame() throws Exception {
    deliver(alice, send(bob, "bob"));
    send(bob, "bob");
    Msg m3 = send(bob, "bob");
    Msg m4 = send(bob, "bob");
    deliver(alice, m4);
    send(alice, "alice");

    ConversationLedger restored = ConversationLedger.fromBytes(alice.toBytes());

    assertThat(restored.toBytes()).isEqualTo(alice.toBytes());
    assertThat(restored.missing()).isEqualTo(alice.missing());
    assertThat(deliver(restored, m3).arrival()).isEqualTo(Arrival.OUT_OF_ORDER);
    assertThat(deliver(alice, m3).arrival()).isEqualTo(Arrival.OUT_OF_ORDER);
    assertThat(restored.toBytes()).isEqualTo(alice.toBytes());
  }

  @Test
  void state_truncatedOrWithTrailingBytes_isRefused() {
    deliver(alice, send(bob, "bob"));
    send(bob, "bob");
    deliver(alice, send(bob, "bob"));
    send(alice, "alice");
    byte[] state = alice.toBytes();

    for (int n = 0; n < state.length; n++) {
      byte[] cut = Arrays.copyOf(state, n);
      assertThatThrownBy(() -> ConversationLedger.fromBytes(cut))
          .isInstanceOf(MalformedSessionDataException.class);
    }
    assertThatThrownBy(() -> ConversationLedger.fromBytes(Arrays.copyOf(state, state.length + 1)))
        .isInstanceOf(MalformedSessionDataException.class);
    byte[] otherVersion = state.clone();
    otherVersion[0] = 2;
    assertThatThrownBy(() -> ConversationLedger.fromBytes(otherVersion))
        .isInstanceOf(MalformedSessionDataException.class);
  }

  @Test
  void commitment_roundTrips_andTheDecoderIsStrict() throws Exception {
    LedgerCommitment c =
        new LedgerCommitment(7, 5, 3, new byte[32], List.of(new SeqRange(1, 2), SeqRange.of(4)));
    byte[] bytes = c.encode();
    assertThat(bytes).hasSize(1 + 8 + 8 + 8 + 32 + 1 + 2 * 16);
    assertThat(LedgerCommitment.decode(bytes)).isEqualTo(c);

    for (int n = 0; n < bytes.length; n++) {
      byte[] cut = Arrays.copyOf(bytes, n);
      assertThatThrownBy(() -> LedgerCommitment.decode(cut))
          .isInstanceOf(MalformedSessionDataException.class);
    }
    assertThatThrownBy(() -> LedgerCommitment.decode(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(MalformedSessionDataException.class);
    List<byte[]> bad = new ArrayList<>();
    byte[] version = bytes.clone();
    version[0] = 2;
    bad.add(version);
    byte[] seqZero = bytes.clone();
    seqZero[8] = 0;
    bad.add(seqZero);
    byte[] lostOverCovered = bytes.clone();
    lostOverCovered[24] = 9;
    bad.add(lostOverCovered);
    byte[] unordered =
        new LedgerCommitment(7, 5, 3, new byte[32], List.of(SeqRange.of(4))).encode();
    byte[] swapped = Arrays.copyOf(unordered, unordered.length + 16);
    ByteBuffer.wrap(swapped)
        .put(57, (byte) 2)
        .putLong(unordered.length, 1L)
        .putLong(unordered.length + 8, 1L);
    bad.add(swapped);
    for (byte[] b : bad) {
      assertThatThrownBy(() -> LedgerCommitment.decode(b))
          .isInstanceOf(MalformedSessionDataException.class);
    }
  }
}
