package dev.ztchat.core.ratchet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.ratchet.RatchetException.Reason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Forged, tampered and replayed messages are refused and leave the receiver's state as it was
 * (docs/v2/ratchet.md sections 7 and 9).
 */
class RatchetTamperTest {
  private static void assertEveryByteFlipRefused(Party receiver, byte[] message) throws Exception {
    byte[] before = receiver.state.toBytes();
    for (int i = 0; i < message.length; i++) {
      byte[] tampered = message.clone();
      tampered[i] ^= 0x01;
      RatchetException e =
          catchThrowableOfType(
              RatchetException.class,
              () -> receiver.state.decrypt(tampered, Party.EXTRA, Party.START, receiver.random));
      assertThat(e).as("byte %d", i).isNotNull();
    }
    assertThat(receiver.state.toBytes()).isEqualTo(before);
  }

  @Test
  void everyByteOfAFirstMessage_flipped_isRefused_andTheGenuineOneStillOpens() throws Exception {
    Party[] p = Party.pair(30);
    byte[] m = p[0].send("first message");
    assertEveryByteFlipRefused(p[1], m);
    assertThat(p[1].receive(m)).isEqualTo("first message");
  }

  @Test
  void everyByteOfAMessageInACurrentChain_flipped_isRefused() throws Exception {
    Party[] p = Party.pair(31);
    p[1].receive(p[0].send("one"));
    byte[] m = p[0].send("two");
    assertEveryByteFlipRefused(p[1], m);
    assertThat(p[1].receive(m)).isEqualTo("two");
    assertThat(p[1].state.skippedKeyCount()).isZero();
  }

  @Test
  void everyByteOfAPqAnswer_flipped_isRefused() throws Exception {
    Party[] p = Party.pair(32);
    int announced = RatchetPqStepTest.pingPongUntilAnnounced(p);
    Party announcer = p[announced % 2];
    byte[] answer = p[(announced + 1) % 2].send("answer");
    assertThat(RatchetHeader.decode(answer).kemCiphertext()).isNotNull();
    assertEveryByteFlipRefused(announcer, answer);
    assertThat(announcer.receive(answer)).isEqualTo("answer");
  }

  @Test
  void everyTruncation_andAnAppendedByte_areRefused() throws Exception {
    Party[] p = Party.pair(33);
    byte[] m = p[0].send("whole");
    for (int length = 0; length < m.length; length++) {
      byte[] cut = Arrays.copyOf(m, length);
      assertThatThrownBy(() -> p[1].state.decrypt(cut, Party.EXTRA, Party.START, p[1].random))
          .isInstanceOf(RatchetException.class);
    }
    byte[] longer = Arrays.copyOf(m, m.length + 1);
    assertThatThrownBy(() -> p[1].state.decrypt(longer, Party.EXTRA, Party.START, p[1].random))
        .isInstanceOfSatisfying(
            RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHENTIC));
    assertThat(p[1].receive(m)).isEqualTo("whole");
  }

  @Test
  void forgedMessageUnderAnAttackersRatchetKey_isNotAuthentic_andStoresNoSkippedKeys()
      throws Exception {
    Party[] p = Party.pair(34);
    p[1].receive(p[0].send("one"));
    p[0].send("lost");
    TestRandom attacker = new TestRandom(666);
    byte[] header =
        new RatchetHeader(X25519.generate(attacker).publicKey(), 5, 900, null, null).encode();
    byte[] forged = RatchetKdf.concat(header, attacker.bytes(40));
    RatchetState before = p[1].state;
    assertThatThrownBy(() -> p[1].receive(forged))
        .isInstanceOfSatisfying(
            RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHENTIC));
    assertThat(p[1].state).isSameAs(before);
    assertThat(p[1].state.skippedKeyCount()).isZero();
    assertThat(p[1].receive(p[0].send("three"))).isEqualTo("three");
  }

  @Test
  void forgedMessageUnderTheRespondersPrekey_toTheInitiator_isRefused() throws Exception {
    TestRandom random = new TestRandom(38);
    byte[] sk = random.bytes(32);
    byte[] ad = random.bytes(32);
    X25519.KeyPair prekey = X25519.generate(random);
    Party alice =
        new Party(
            RatchetState.initiator(sk, prekey.publicKey(), ad),
            dev.ztchat.core.testkit.MutableClock.at(Party.START),
            random);
    alice.send("hello");
    // The initiator knows the prekey but has no receiving chain for it.
    byte[] header = new RatchetHeader(prekey.publicKey(), 0, 3, null, null).encode();
    byte[] forged = RatchetKdf.concat(header, random.bytes(40));
    RatchetState before = alice.state;
    assertThatThrownBy(() -> alice.receive(forged))
        .isInstanceOfSatisfying(
            RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHENTIC));
    assertThat(alice.state).isSameAs(before);
  }

  @Test
  void arbitraryMessages_areRefusedWithARatchetException_neverAnotherFailure() throws Exception {
    Party[] p = Party.pair(39);
    int announced = RatchetPqStepTest.pingPongUntilAnnounced(p);
    Party announcer = p[announced % 2];
    byte[] current = RatchetHeader.decode(p[(announced + 1) % 2].send("x")).dh();
    Party fresh = Party.pair(40)[1];
    TestRandom random = new TestRandom(41);
    for (Party receiver : new Party[] {announcer, fresh, p[0], p[1]}) {
      for (int i = 0; i < 300; i++) {
        byte[] bits = random.bytes(4);
        int flags = bits[0] & 0x03;
        byte[] dh = (bits[1] & 1) == 0 ? current : random.bytes(32);
        long n = bits[2] & 0x0F;
        long pn = bits[3] & 0x0F;
        byte[] header =
            new RatchetHeader(
                    dh,
                    pn,
                    n,
                    (flags & 1) != 0 ? random.bytes(1088) : null,
                    (flags & 2) != 0 ? random.bytes(1184) : null)
                .encode();
        byte[] message = RatchetKdf.concat(header, random.bytes(16 + (bits[3] & 0x1F)));
        RatchetState before = receiver.state;
        assertThatThrownBy(() -> receiver.receive(message)).isInstanceOf(RatchetException.class);
        assertThat(receiver.state).isSameAs(before);
      }
    }
  }

  @Test
  void replayedMessage_isRefused_becauseItsKeyIsGone() throws Exception {
    Party[] p = Party.pair(35);
    byte[] m = p[0].send("once");
    assertThat(p[1].receive(m)).isEqualTo("once");
    assertThatThrownBy(() -> p[1].receive(m))
        .isInstanceOfSatisfying(
            RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_GONE));
  }

  @Test
  void replayedOutOfOrderMessage_isRefused_becauseItsSkippedKeyWasDeleted() throws Exception {
    Party[] p = Party.pair(36);
    byte[] early = p[0].send("early");
    p[1].receive(p[0].send("overtakes"));
    assertThat(p[1].state.skippedKeyCount()).isEqualTo(1);
    assertThat(p[1].receive(early)).isEqualTo("early");
    assertThat(p[1].state.skippedKeyCount()).isZero();
    assertThatThrownBy(() -> p[1].receive(early))
        .isInstanceOfSatisfying(
            RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_GONE));
  }

  @Test
  void replayedMessageOfAnEarlierChain_isRefused() throws Exception {
    Party[] p = Party.pair(37);
    byte[] old = p[0].send("old chain");
    p[1].receive(old);
    p[0].receive(p[1].send("reply"));
    p[1].receive(p[0].send("new chain"));
    RatchetState before = p[1].state;
    assertThatThrownBy(() -> p[1].receive(old)).isInstanceOf(RatchetException.class);
    assertThat(p[1].state).isSameAs(before);
  }
}
