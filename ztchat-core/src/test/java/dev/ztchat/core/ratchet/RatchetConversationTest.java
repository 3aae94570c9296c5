package dev.ztchat.core.ratchet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.crypto.X25519;
import org.junit.jupiter.api.Test;

/** Messages in order, out of order, lost, and in both directions (docs/v2/ratchet.md section 5). */
class RatchetConversationTest {
  @Test
  void messagesInOrder_openInOrder() throws Exception {
    Party[] p = Party.pair(1);
    for (int i = 0; i < 5; i++) {
      assertThat(p[1].receive(p[0].send("a" + i))).isEqualTo("a" + i);
    }
    for (int i = 0; i < 5; i++) {
      assertThat(p[0].receive(p[1].send("b" + i))).isEqualTo("b" + i);
    }
  }

  @Test
  void bothDirectionsInterleaved_everyMessageOpens() throws Exception {
    Party[] p = Party.pair(2);
    assertThat(p[1].receive(p[0].send("hello"))).isEqualTo("hello");
    for (int round = 0; round < 20; round++) {
      // Both send before either receives: the chains cross on the wire.
      byte[] a = p[0].send("a" + round);
      byte[] b = p[1].send("b" + round);
      assertThat(p[1].receive(a)).isEqualTo("a" + round);
      assertThat(p[0].receive(b)).isEqualTo("b" + round);
    }
  }

  @Test
  void messagesOutOfOrder_openInAnyOrder() throws Exception {
    Party[] p = Party.pair(3);
    byte[][] sent = new byte[6][];
    for (int i = 0; i < 6; i++) {
      sent[i] = p[0].send("m" + i);
    }
    for (int i : new int[] {5, 0, 3, 1, 4, 2}) {
      assertThat(p[1].receive(sent[i])).isEqualTo("m" + i);
    }
    assertThat(p[1].state.skippedKeyCount()).isZero();
  }

  @Test
  void messageFromAnEarlierChain_opensAfterTheNextChain() throws Exception {
    Party[] p = Party.pair(4);
    byte[] first = p[0].send("first");
    byte[] late = p[0].send("late");
    assertThat(p[1].receive(first)).isEqualTo("first");
    assertThat(p[0].receive(p[1].send("reply"))).isEqualTo("reply");
    byte[] next = p[0].send("next chain");
    assertThat(p[1].receive(next)).isEqualTo("next chain");
    assertThat(p[1].state.skippedKeyCount()).isEqualTo(1);
    assertThat(p[1].receive(late)).isEqualTo("late");
    assertThat(p[1].state.skippedKeyCount()).isZero();
  }

  @Test
  void lostMessages_doNotStopTheConversation() throws Exception {
    Party[] p = Party.pair(5);
    p[0].send("lost 1");
    p[0].send("lost 2");
    assertThat(p[1].receive(p[0].send("arrives"))).isEqualTo("arrives");
    p[1].send("lost reply");
    assertThat(p[0].receive(p[1].send("second reply"))).isEqualTo("second reply");
    assertThat(p[1].receive(p[0].send("again"))).isEqualTo("again");
    assertThat(p[1].state.skippedKeyCount()).isEqualTo(2);
    assertThat(p[0].state.skippedKeyCount()).isEqualTo(1);
  }

  @Test
  void responder_cannotSendBeforeItHasReceived() {
    Party[] p = Party.pair(6);
    assertThatThrownBy(() -> p[1].send("too early"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only after it has received");
  }

  @Test
  void stateThatEncrypted_refusesASecondUse() {
    Party[] p = Party.pair(7);
    RatchetState before = p[0].state;
    p[0].send("one");
    assertThatThrownBy(
            () ->
                before.encrypt(
                    "two".getBytes(UTF_8), Party.EXTRA, p[0].clock.instant(), p[0].random))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already used to encrypt");
  }

  @Test
  void differentExtraAssociatedData_isNotAuthentic() {
    Party[] p = Party.pair(8);
    byte[] m = p[0].send("routed");
    assertThatThrownBy(
            () ->
                p[1].state.decrypt(
                    m, "other-prefix".getBytes(UTF_8), p[1].clock.instant(), p[1].random))
        .isInstanceOfSatisfying(
            RatchetException.class,
            e -> assertThat(e.reason()).isEqualTo(RatchetException.Reason.NOT_AUTHENTIC));
  }

  @Test
  void differentSessionAssociatedData_isNotAuthentic() throws Exception {
    TestRandom random = new TestRandom(9);
    byte[] sk = random.bytes(32);
    X25519.KeyPair prekey = X25519.generate(random);
    Party alice =
        new Party(
            RatchetState.initiator(sk, prekey.publicKey(), random.bytes(32)),
            dev.ztchat.core.testkit.MutableClock.at(Party.START),
            random);
    RatchetState bob = RatchetState.responder(sk, prekey, random.bytes(32));
    byte[] m = alice.send("hi");
    assertThatThrownBy(() -> bob.decrypt(m, Party.EXTRA, Party.START, random))
        .isInstanceOfSatisfying(
            RatchetException.class,
            e -> assertThat(e.reason()).isEqualTo(RatchetException.Reason.NOT_AUTHENTIC));
  }

  @Test
  void chainAtItsLastNumber_refusesToEncrypt_soTheStoredCounterCannotWrap() throws Exception {
    Party[] p = Party.pair(11);
    p[1].receive(p[0].send("hello"));
    MutableRatchet m = new MutableRatchet(p[0].state);
    m.sendN = RatchetHeader.MAX_COUNTER - 1;
    p[0].state = new RatchetState(m);
    byte[] last = p[0].send("last number");
    assertThat(RatchetHeader.decode(last).n()).isEqualTo(RatchetHeader.MAX_COUNTER - 1);
    assertThatThrownBy(() -> p[0].send("one more"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("2^32 - 1 messages");
  }

  @Test
  void messageNumberThatWouldWrapTheReceiver_isMalformed() throws Exception {
    Party[] p = Party.pair(12);
    p[1].receive(p[0].send("hello"));
    MutableRatchet sender = new MutableRatchet(p[0].state);
    sender.sendN = RatchetHeader.MAX_COUNTER;
    sender.sendChain = p[0].state.sendChain;
    p[0].state = new RatchetState(sender);
    MutableRatchet receiver = new MutableRatchet(p[1].state);
    receiver.receiveN = RatchetHeader.MAX_COUNTER;
    p[1].state = new RatchetState(receiver);
    assertThatThrownBy(() -> p[0].state.encrypt(new byte[1], Party.EXTRA, Party.START, p[0].random))
        .isInstanceOf(IllegalStateException.class);
    byte[] header =
        new RatchetHeader(p[0].state.sendKey.publicKey(), 0, RatchetHeader.MAX_COUNTER, null, null)
            .encode();
    byte[] forged = RatchetKdf.concat(header, new byte[16]);
    assertThatThrownBy(() -> p[1].receive(forged))
        .isInstanceOfSatisfying(
            RatchetException.class,
            e -> assertThat(e.reason()).isEqualTo(RatchetException.Reason.MALFORMED));
  }

  @Test
  void emptyPlaintext_roundTrips() throws Exception {
    Party[] p = Party.pair(10);
    assertThat(p[1].receive(p[0].send(""))).isEmpty();
  }
}
