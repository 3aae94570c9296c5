package dev.ztchat.core.ratchet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.crypto.X25519;
import java.security.InvalidKeyException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a thief of a stored state can and cannot read (docs/v2/ratchet.md section 10): no earlier
 * message (forward secrecy), and nothing after the conversation's next DH steps (post-compromise
 * security).
 */
class RatchetCompromiseTest {
  private static final int CHAIN_STEPS = 4;

  /** A message as recorded on the wire, split for an attacker's trial decryptions. */
  private record Recorded(byte[] dh, byte[] header, byte[] ciphertext) {
    static Recorded of(byte[] message) throws RatchetException {
      RatchetHeader h = RatchetHeader.decode(message);
      int length = h.length();
      return new Recorded(
          h.dh(),
          Arrays.copyOf(message, length),
          Arrays.copyOfRange(message, length, message.length));
    }
  }

  private static boolean opens(byte[] messageKey, byte[] ad, Recorded r) {
    try {
      RatchetKdf.open(
          messageKey,
          RatchetKdf.concat(RatchetKdf.concat(ad, r.header), Party.EXTRA),
          r.ciphertext);
      return true;
    } catch (RatchetException e) {
      return false;
    }
  }

  /** Whether {@code chainKey} or any of its next chain keys opens {@code r}. */
  private static boolean chainOpens(byte[] chainKey, byte[] ad, Recorded r) {
    byte[] ck = chainKey;
    for (int i = 0; i < CHAIN_STEPS; i++) {
      RatchetKdf.ChainStep step = RatchetKdf.chain(ck);
      if (opens(step.messageKey(), ad, r)) {
        return true;
      }
      ck = step.nextChainKey();
    }
    return false;
  }

  @Test
  void storedState_opensNoEarlierMessage_whicheverOfItsBytesIsTriedAsAKey() throws Exception {
    Party[] p = Party.pair(60);
    List<byte[]> recorded = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 2; i++) {
        byte[] toBob = p[0].send("a" + round + i);
        recorded.add(toBob);
        p[1].receive(toBob);
        byte[] toAlice = p[1].send("b" + round + i);
        recorded.add(toAlice);
        p[0].receive(toAlice);
      }
    }
    byte[] stolen = p[1].state.toBytes();
    RatchetState thief = RatchetState.fromBytes(stolen);
    byte[] ad = thief.ad;
    List<Recorded> wire = new ArrayList<>();
    for (byte[] m : recorded) {
      wire.add(Recorded.of(m));
    }

    // The search can find a key: the message Alice sends next is open to the thief, whose root key
    // and ratchet key are what Alice's next chain starts from.
    Recorded next = Recorded.of(p[0].send("after the theft"));
    boolean found = false;
    for (int offset = 0; offset + 32 <= stolen.length; offset++) {
      byte[] candidate = Arrays.copyOfRange(stolen, offset, offset + 32);
      found |=
          chainOpens(
              RatchetKdf.root(candidate, agreeOrNull(thief.sendKey, next.dh), null).chainKey(),
              ad,
              next);
      for (Recorded r : wire) {
        assertThat(opens(candidate, ad, r)).as("as message key at %d", offset).isFalse();
        assertThat(chainOpens(candidate, ad, r)).as("as chain key at %d", offset).isFalse();
        // As a root key, with the DH output of the stolen ratchet key and the recorded one.
        byte[] dh = agreeOrNull(thief.sendKey, r.dh);
        if (dh != null) {
          byte[] chain = RatchetKdf.root(candidate, dh, null).chainKey();
          assertThat(chainOpens(chain, ad, r)).as("as root key at %d", offset).isFalse();
        }
      }
    }
    assertThat(found).isTrue();
    // The thief's copy itself refuses every recorded message.
    for (byte[] m : recorded) {
      assertThatThrownBy(() -> thief.decrypt(m, Party.EXTRA, Party.START, new TestRandom(7)))
          .isInstanceOf(RatchetException.class);
    }
  }

  private static byte[] agreeOrNull(X25519.KeyPair ours, byte[] theirs) {
    try {
      return X25519.agree(ours.privateKey(), theirs);
    } catch (InvalidKeyException e) {
      return null;
    }
  }

  @Test
  void thiefOfAState_isLockedOutOnceTheVictimHasTakenTwoDhSteps() throws Exception {
    Party[] p = Party.pair(61);
    p[1].receive(p[0].send("hello"));
    p[0].receive(p[1].send("hi"));
    // Alice's state is stolen just after she took a DH step on receiving "hi".
    RatchetState thief = RatchetState.fromBytes(p[0].state.toBytes());
    TestRandom thiefRandom = new TestRandom(8);

    byte[] sameChain = p[1].send("still Bob's chain");
    p[0].receive(sameChain);
    p[1].receive(p[0].send("Alice's key the thief holds"));
    byte[] answersStolenKey = p[1].send("Bob answers the stolen key");
    p[0].receive(answersStolenKey);
    p[1].receive(p[0].send("Alice's fresh key"));
    List<byte[]> healed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      byte[] b = p[1].send("healed " + i);
      healed.add(b);
      p[0].receive(b);
      p[1].receive(p[0].send("a" + i));
    }

    // The compromise is real: the thief reads what depends only on what it stole...
    thief = thief.decrypt(sameChain, Party.EXTRA, Party.START, thiefRandom).next();
    thief = thief.decrypt(answersStolenKey, Party.EXTRA, Party.START, thiefRandom).next();
    // ...and nothing once Alice's next ratchet key, which it does not have, is in use.
    for (byte[] b : healed) {
      RatchetState t = thief;
      assertThatThrownBy(() -> t.decrypt(b, Party.EXTRA, Party.START, thiefRandom))
          .isInstanceOf(RatchetException.class);
    }
  }
}
