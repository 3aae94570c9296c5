package dev.ztchat.core.ratchet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.ratchet.RatchetException.Reason;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Skipped message keys: bounded per chain, in total and by age (docs/v2/ratchet.md section 6). */
class RatchetSkippedKeysTest {
  /** {@code message} with its header's PN and N replaced (the tag no longer matches). */
  private static byte[] withCounters(byte[] message, long pn, long n) throws RatchetException {
    RatchetHeader h = RatchetHeader.decode(message);
    RatchetHeader changed = new RatchetHeader(h.dh(), pn, n, h.kemCiphertext(), h.kemKey());
    byte[] out = message.clone();
    System.arraycopy(changed.encode(), 0, out, 0, h.length());
    return out;
  }

  private static void assertRefused(Party receiver, byte[] message, Reason reason) {
    RatchetState before = receiver.state;
    assertThatThrownBy(() -> receiver.receive(message))
        .isInstanceOfSatisfying(
            RatchetException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    assertThat(receiver.state).isSameAs(before);
  }

  @Test
  void hugeNumberInTheCurrentChain_isRefusedBeforeAnyKeyIsDerived() throws Exception {
    Party[] p = Party.pair(40);
    p[1].receive(p[0].send("one"));
    assertRefused(p[1], withCounters(p[0].send("two"), 0, 0xFFFF_FFFEL), Reason.TOO_MANY_SKIPPED);
  }

  @Test
  void hugeNumberInANewChain_isRefused() throws Exception {
    Party[] p = Party.pair(41);
    assertRefused(p[1], withCounters(p[0].send("one"), 0, 0xFFFF_FFFEL), Reason.TOO_MANY_SKIPPED);
  }

  @Test
  void hugePreviousChainLength_isRefused() throws Exception {
    Party[] p = Party.pair(42);
    p[1].receive(p[0].send("one"));
    p[0].receive(p[1].send("reply"));
    assertRefused(
        p[1], withCounters(p[0].send("new chain"), 0xFFFF_FFFFL, 0), Reason.TOO_MANY_SKIPPED);
  }

  @Test
  void exactlyMaxSkipLostMessages_areTolerated_oneMoreIsRefused() throws Exception {
    Party[] p = Party.pair(43);
    byte[] first = null;
    for (int i = 0; i <= RatchetState.MAX_SKIP; i++) {
      byte[] m = p[0].send("m" + i);
      if (i == 0) {
        first = m;
      }
      if (i == RatchetState.MAX_SKIP) {
        assertThat(p[1].receive(m)).isEqualTo("m" + i);
      }
    }
    assertThat(p[1].state.skippedKeyCount()).isEqualTo(RatchetState.MAX_SKIP);
    assertThat(p[1].receive(first)).isEqualTo("m0");

    for (int i = 0; i <= RatchetState.MAX_SKIP; i++) {
      p[0].send("lost");
    }
    assertRefused(p[1], p[0].send("too far"), Reason.TOO_MANY_SKIPPED);
  }

  @Test
  void beyondTheTotalBound_theOldestSkippedKeysAreDropped() throws Exception {
    Party[] p = Party.pair(44);
    byte[] oldest = null;
    for (int chain = 0; chain < 3; chain++) {
      for (int i = 0; i < RatchetState.MAX_SKIP; i++) {
        byte[] m = p[0].send("lost");
        if (oldest == null) {
          oldest = m;
        }
      }
      p[1].receive(p[0].send("arrives"));
      p[0].receive(p[1].send("reply"));
    }
    assertThat(p[1].state.skippedKeyCount()).isEqualTo(RatchetState.MAX_SKIPPED_KEYS);
    byte[] dropped = oldest;
    assertThatThrownBy(() -> p[1].receive(dropped)).isInstanceOf(RatchetException.class);
  }

  @Test
  void skippedKey_isKeptInsideTheWindow_andDroppedAtItsEnd() throws Exception {
    Party[] p = Party.pair(45);
    byte[] late = p[0].send("late");
    byte[] later = p[0].send("later");
    p[1].receive(p[0].send("overtakes"));
    assertThat(p[1].state.skippedKeyCount()).isEqualTo(2);

    p[1].clock.advance(RatchetState.SKIPPED_KEY_MAX_AGE.minus(Duration.ofSeconds(1)));
    assertThat(p[1].receive(late)).isEqualTo("late");
    p[1].clock.advance(Duration.ofSeconds(1));
    assertRefused(p[1], later, Reason.KEY_GONE);
    p[1].receive(p[0].send("fresh"));
    assertThat(p[1].state.skippedKeyCount()).isZero();
  }

  @Test
  void tamperedOutOfOrderMessage_keepsItsSkippedKey() throws Exception {
    Party[] p = Party.pair(46);
    byte[] early = p[0].send("early");
    p[1].receive(p[0].send("overtakes"));
    byte[] tampered = early.clone();
    tampered[tampered.length - 1] ^= 0x01;
    assertRefused(p[1], tampered, Reason.NOT_AUTHENTIC);
    assertThat(p[1].state.skippedKeyCount()).isEqualTo(1);
    assertThat(p[1].receive(early)).isEqualTo("early");
    assertThat(Arrays.equals(early, tampered)).isFalse();
  }
}
