package dev.ztchat.core.conversation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.ratchet.RatchetState;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A stored session is immutable whatever its maker or reader does with the arrays and states. */
class StoredSessionTest {
  private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
  private final SecureRandom random = new SecureRandom();

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private RatchetState initiator() {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    return RatchetState.initiator(secret, X25519.generate(random).publicKey(), filled(32, 7));
  }

  @Test
  void aDecodedState_destroyedOrUsedByItsMakerAfterwards_leavesTheStoredStateAsItWas() {
    RatchetState mine = initiator().encrypt(new byte[] {1}, new byte[0], NOW, random).next();
    byte[] expected = mine.toBytes();

    StoredSession stored =
        StoredSession.ofState(
            "bob", filled(32, 1), filled(16, 2), filled(10, 3), mine, 5, filled(4, 4));
    mine.encrypt(new byte[] {2}, new byte[0], NOW, random).next().destroy();
    mine.destroy();

    assertThat(stored.ratchetState()).isEqualTo(expected);
    assertThat(stored.ratchet().toBytes()).isEqualTo(expected);
  }

  @Test
  void theStateItGivesOut_usedAndDestroyed_leavesTheStoredStateAsItWas_andEachReadIsFresh() {
    RatchetState mine = initiator();
    byte[] expected = mine.toBytes();
    StoredSession stored =
        StoredSession.ofState(
            "bob", filled(32, 1), filled(16, 2), filled(10, 3), mine, 5, filled(4, 4));

    RatchetState read = stored.ratchet();
    read.encrypt("first".getBytes(UTF_8), new byte[0], NOW, random).next().destroy();
    read.destroy();
    RatchetState again = stored.ratchet();

    assertThat(again).isNotSameAs(read);
    assertThat(again.usedToEncrypt()).isFalse();
    assertThat(again.toBytes()).isEqualTo(expected);
    assertThat(stored.ratchetState()).isEqualTo(expected);
  }

  @Test
  void theArraysItWasMadeFrom_changedAfterwards_doNotChangeIt() {
    byte[] device = filled(32, 1);
    byte[] sessionId = filled(16, 2);
    byte[] certificate = filled(10, 3);
    byte[] state = filled(20, 5);
    byte[] pending = filled(4, 4);
    StoredSession fromBytes =
        new StoredSession("bob", device, sessionId, certificate, state, 5, pending);
    RatchetState decoded = initiator();
    StoredSession fromState =
        StoredSession.ofState("bob", device, sessionId, certificate, decoded, 5, pending);

    for (byte[] a : new byte[][] {device, sessionId, certificate, state, pending}) {
      Arrays.fill(a, (byte) 0x66);
    }

    for (StoredSession s : new StoredSession[] {fromBytes, fromState}) {
      assertThat(s.peerDevice()).isEqualTo(filled(32, 1));
      assertThat(s.sessionId()).isEqualTo(filled(16, 2));
      assertThat(s.peerCertificate()).isEqualTo(filled(10, 3));
      assertThat(s.pendingInitial()).isEqualTo(filled(4, 4));
    }
    assertThat(fromBytes.ratchetState()).isEqualTo(filled(20, 5));
  }

  @Test
  void theArraysItGivesOut_changed_doNotChangeIt_norItsSuccessors() {
    StoredSession stored =
        StoredSession.ofState(
            "bob", filled(32, 1), filled(16, 2), filled(10, 3), initiator(), 5, filled(4, 4));
    StoredSession next = stored.afterSending(initiator(), 6);
    byte[] state = stored.ratchetState();

    for (byte[] a :
        new byte[][] {
          stored.peerDevice(),
          stored.sessionId(),
          stored.peerCertificate(),
          stored.pendingInitial(),
          stored.ratchetState()
        }) {
      Arrays.fill(a, (byte) 0x66);
    }

    for (StoredSession s : new StoredSession[] {stored, next}) {
      assertThat(s.peerDevice()).isEqualTo(filled(32, 1));
      assertThat(s.sessionId()).isEqualTo(filled(16, 2));
      assertThat(s.peerCertificate()).isEqualTo(filled(10, 3));
      assertThat(s.pendingInitial()).isEqualTo(filled(4, 4));
    }
    assertThat(stored.ratchetState()).isEqualTo(state);
  }

  @Test
  void afterReceiving_dropsThePendingInitialHeader_afterSending_keepsIt() {
    StoredSession started =
        StoredSession.ofState(
            "bob", filled(32, 1), filled(16, 2), filled(10, 3), initiator(), 5, filled(4, 4));

    assertThat(started.afterSending(initiator(), 6).pendingInitial()).isEqualTo(filled(4, 4));
    assertThat(started.afterReceiving(initiator(), 6).pendingInitial()).isEmpty();
    assertThat(started.afterReceiving(initiator(), 6).lastUsedMillis()).isEqualTo(6);
  }

  @Test
  void aSessionHeldDecoded_equalsTheSameSessionHeldAsBytes() {
    RatchetState state = initiator();
    StoredSession decoded =
        StoredSession.ofState(
            "bob", filled(32, 1), filled(16, 2), filled(10, 3), state, 5, new byte[0]);
    StoredSession bytes =
        new StoredSession("bob", filled(32, 1), filled(16, 2), filled(10, 3), state.toBytes(), 5);

    assertThat(decoded).isEqualTo(bytes).hasSameHashCodeAs(bytes);
  }
}
