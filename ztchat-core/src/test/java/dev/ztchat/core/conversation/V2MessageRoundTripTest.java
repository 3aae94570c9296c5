package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.ContentKind;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.session.LedgerNotice;
import dev.ztchat.core.session.SeqRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class V2MessageRoundTripTest {
  private final V2World world = new V2World();
  private final V2World.Party alice = world.device("alice");
  private final V2World.Party bob = world.device("bob");

  @Test
  void firstMessage_startsASessionFromTheBundle_andOpensAsVersion2() throws Exception {
    assertThat(alice.sealer.devicesNeedingBundles(List.of(bob.address())))
        .containsExactly(bob.address());

    V2Envelope envelope = alice.send("hello bob", bob);
    OpenedMessage opened = bob.open(envelope);

    assertThat(opened.text()).isEqualTo("hello bob");
    assertThat(opened.sender()).isEqualTo("alice");
    assertThat(opened.version()).isEqualTo(2);
    assertThat(opened.prefix()).isEqualTo(envelope.prefix());
    assertThat(opened.notices()).isEmpty();
    assertThat(bob.versions.lowestVersion("alice")).isEqualTo(2);
    V2Body body = V2Body.decode(envelope.body(), envelope.prefix());
    assertThat(body.certificate()).isPresent();
    assertThat(body.entries()).singleElement().satisfies(e -> assertThat(e.initial()).isPresent());
    assertThat(alice.sealer.devicesNeedingBundles(List.of(bob.address()))).isEmpty();
  }

  @Test
  void reply_needsNoBundle_andCarriesNoCertificate() throws Exception {
    bob.open(alice.send("hello bob", bob));

    assertThat(bob.sealer.devicesNeedingBundles(List.of(alice.address()))).isEmpty();
    V2Envelope reply = bob.send("hello alice", alice);
    OpenedMessage opened = alice.open(reply);

    assertThat(opened.text()).isEqualTo("hello alice");
    assertThat(alice.bundlesHandedOut).isEmpty();
    V2Body body = V2Body.decode(reply.body(), reply.prefix());
    assertThat(body.certificate()).isEmpty();
    assertThat(body.entries()).singleElement().satisfies(e -> assertThat(e.initial()).isEmpty());
  }

  @Test
  void firstMessageLost_theNextOneStillStartsTheSession_andTheLateFirstOpensToo() throws Exception {
    V2Envelope first = alice.send("one", bob);
    V2Envelope second = alice.send("two", bob);
    assertThat(V2Body.decode(second.body(), second.prefix()).entries().get(0).initial())
        .isPresent();

    assertThat(bob.open(second).text()).isEqualTo("two");
    assertThat(bob.open(first).text()).isEqualTo("one");
    assertThat(bob.store.sessions("alice")).hasSize(1);
  }

  @Test
  void afterTheFirstReply_messagesNoLongerRepeatTheSessionSetup() throws Exception {
    bob.open(alice.send("one", bob));
    alice.open(bob.send("two", alice));

    V2Envelope third = alice.send("three", bob);

    V2Body body = V2Body.decode(third.body(), third.prefix());
    assertThat(body.certificate()).isEmpty();
    assertThat(body.entries().get(0).initial()).isEmpty();
    assertThat(bob.open(third).text()).isEqualTo("three");
  }

  @Test
  void receipt_roundTrips() throws Exception {
    V2Envelope first = alice.send("hello bob", bob);
    bob.open(first);

    OpenedMessage receipt =
        alice.open(bob.send(MessageContent.receipt(first.prefix().messageId()), alice));

    assertThat(receipt.kind()).isEqualTo(ContentKind.RECEIPT);
    assertThat(receipt.receiptFor()).isEqualTo(first.prefix().messageId());
  }

  @Test
  void manyMessagesBackAndForth_allOpen_acrossPostQuantumSteps() throws Exception {
    boolean sawPostQuantumStep = false;
    for (int i = 0; i < 120; i++) {
      V2World.Party from = i % 3 == 2 ? bob : alice;
      V2World.Party to = from == alice ? bob : alice;
      V2Envelope e = from.send("message " + i, to);
      byte[] ratchetMessage = V2Body.decode(e.body(), e.prefix()).entries().get(0).ratchetMessage();
      sawPostQuantumStep |= ratchetMessage[1] != 0; // kem_ct or kem_ek present (ratchet.md 3)

      OpenedMessage opened = to.open(e);

      assertThat(opened.text()).isEqualTo("message " + i);
      assertThat(opened.notices()).isEmpty();
      world.clock.advance(Duration.ofSeconds(1));
    }
    assertThat(sawPostQuantumStep).isTrue();
  }

  @Test
  void messagesOutOfOrder_allOpen_andTheLateOneIsNoticed() throws Exception {
    bob.open(alice.send("one", bob));
    V2Envelope two = alice.send("two", bob);
    V2Envelope three = alice.send("three", bob);

    OpenedMessage third = bob.open(three);
    OpenedMessage second = bob.open(two);

    assertThat(third.text()).isEqualTo("three");
    assertThat(third.notices())
        .containsExactly(new LedgerNotice(LedgerNotice.Kind.PEER_MESSAGES_MISSING, SeqRange.of(2)));
    assertThat(second.text()).isEqualTo("two");
    assertThat(second.notices())
        .containsExactly(
            new LedgerNotice(LedgerNotice.Kind.PEER_MESSAGE_OUT_OF_ORDER, SeqRange.of(2)));
  }

  @Test
  void lostMessage_isReportedByTheLedger_onBothSides() throws Exception {
    bob.open(alice.send("one", bob));
    alice.send("two, dropped by the relay", bob);

    OpenedMessage third = bob.open(alice.send("three", bob));
    world.clock.advance(Duration.ofMinutes(5));
    OpenedMessage fourth = bob.open(alice.send("four", bob));

    assertThat(third.notices())
        .containsExactly(new LedgerNotice(LedgerNotice.Kind.PEER_MESSAGES_MISSING, SeqRange.of(2)));
    assertThat(fourth.notices())
        .containsExactly(new LedgerNotice(LedgerNotice.Kind.PEER_MESSAGES_LOST, SeqRange.of(2)));
    OpenedMessage reply = alice.open(bob.send("what?", alice));
    assertThat(reply.notices())
        .contains(new LedgerNotice(LedgerNotice.Kind.MY_MESSAGES_LOST_BY_PEER, SeqRange.of(2)));
  }

  @Test
  void oneMessageToTwoUsersAndTwoDevices_opensOnEachDevice() throws Exception {
    V2World.Party bobLaptop = world.device("bob");
    V2World.Party carol = world.device("carol");

    V2Envelope envelope = alice.send("hello all", bob, bobLaptop, carol);

    assertThat(envelope.prefix().recipients()).containsExactly("bob", "carol");
    assertThat(bob.open(envelope).text()).isEqualTo("hello all");
    assertThat(bobLaptop.open(envelope).text()).isEqualTo("hello all");
    assertThat(carol.open(envelope).text()).isEqualTo("hello all");
    assertThat(alice.sealer.devicesWithSessions("bob"))
        .containsExactlyInAnyOrder(bob.address(), bobLaptop.address());
  }

  @Test
  void twoDevicesOfOneSender_eachHaveTheirOwnSessionAndLedger() throws Exception {
    V2World.Party aliceLaptop = world.device("alice");

    for (int i = 0; i < 3; i++) {
      assertThat(bob.open(alice.send("phone " + i, bob)).notices()).isEmpty();
      assertThat(bob.open(aliceLaptop.send("laptop " + i, bob)).notices()).isEmpty();
    }
    V2Envelope reply = bob.send("to both", alice, aliceLaptop);

    assertThat(bob.store.sessions("alice")).hasSize(2);
    assertThat(alice.open(reply).notices()).isEmpty();
    assertThat(aliceLaptop.open(reply).notices()).isEmpty();
  }

  @Test
  void simultaneousInitiation_keepsBothSessions_andConvergesOnOne() throws Exception {
    V2Envelope fromAlice = alice.send("hi bob", bob);
    V2Envelope fromBob = bob.send("hi alice", alice);
    world.clock.advance(Duration.ofSeconds(1));
    assertThat(alice.open(fromBob).text()).isEqualTo("hi alice");
    assertThat(bob.open(fromAlice).text()).isEqualTo("hi bob");
    assertThat(alice.store.sessions("bob")).hasSize(2);
    assertThat(bob.store.sessions("alice")).hasSize(2);

    List<byte[]> used = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      world.clock.advance(Duration.ofSeconds(1));
      V2Envelope a = alice.send("a" + i, bob);
      assertThat(bob.open(a).text()).isEqualTo("a" + i);
      used.add(sessionOf(a));
      V2Envelope b = bob.send("b" + i, alice);
      assertThat(alice.open(b).text()).isEqualTo("b" + i);
      used.add(sessionOf(b));
    }

    assertThat(used.subList(1, used.size()))
        .allSatisfy(id -> assertThat(id).isEqualTo(used.get(0)));
    assertThat(alice.store.sessions("bob").get(0).sessionId()).isEqualTo(used.get(0));
    assertThat(bob.store.sessions("alice").get(0).sessionId()).isEqualTo(used.get(0));
  }

  private static byte[] sessionOf(V2Envelope e) throws Exception {
    return V2Body.decode(e.body(), e.prefix()).entries().get(0).sessionId();
  }
}
