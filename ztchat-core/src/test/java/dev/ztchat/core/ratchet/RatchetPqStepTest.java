package dev.ztchat.core.ratchet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.ratchet.RatchetException.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The periodic ML-KEM-768 step (docs/v2/ratchet.md section 5.4). */
class RatchetPqStepTest {
  /** Alternates single messages (each a new chain) until one announces a key; its index. */
  static int pingPongUntilAnnounced(Party[] p) throws RatchetException {
    for (int i = 0; i < 200; i++) {
      byte[] m = p[i % 2].send("m" + i);
      p[(i + 1) % 2].receive(m);
      if (RatchetHeader.decode(m).kemKey() != null) {
        return i;
      }
    }
    throw new AssertionError("no ML-KEM key was announced in 200 messages");
  }

  @Test
  void afterFiftyMessages_aKeyIsAnnounced_andTheNextChainAnswersIt() throws Exception {
    Party[] p = Party.pair(20);
    int announced = pingPongUntilAnnounced(p);
    assertThat(announced).isGreaterThanOrEqualTo(RatchetState.PQ_STEP_MESSAGES);
    Party announcer = p[announced % 2];
    Party peer = p[(announced + 1) % 2];
    assertThat(announcer.state.awaitsPqStep()).isTrue();

    byte[] answer = peer.send("answer");
    RatchetHeader header = RatchetHeader.decode(answer);
    assertThat(header.kemCiphertext()).hasSize(MlKem768.CIPHERTEXT_BYTES);
    assertThat(header.kemKey()).isNull();
    assertThat(announcer.receive(answer)).isEqualTo("answer");
    assertThat(announcer.state.awaitsPqStep()).isFalse();
    // The count restarted at the step: only the answer itself is counted.
    assertThat(announcer.state.messagesSincePq).isEqualTo(1);
  }

  @Test
  void everyMessageOfTheAnsweringChain_carriesTheCiphertext_soAnyOfThemMayArriveFirst()
      throws Exception {
    Party[] p = Party.pair(21);
    int announced = pingPongUntilAnnounced(p);
    Party announcer = p[announced % 2];
    Party peer = p[(announced + 1) % 2];
    byte[] first = peer.send("first");
    byte[] second = peer.send("second");
    assertThat(RatchetHeader.decode(second).kemCiphertext())
        .isEqualTo(RatchetHeader.decode(first).kemCiphertext());
    assertThat(announcer.receive(second)).isEqualTo("second");
    assertThat(announcer.receive(first)).isEqualTo("first");
  }

  @Test
  void afterTwentyFourHours_aKeyIsAnnounced_evenAfterFewMessages() throws Exception {
    Party[] p = Party.pair(22);
    p[1].receive(p[0].send("hello"));
    p[0].receive(p[1].send("hi"));
    assertThat(p[0].state.awaitsPqStep()).isFalse();
    p[0].clock.advance(RatchetState.PQ_STEP_INTERVAL.minus(Duration.ofSeconds(1)));
    p[1].receive(p[0].send("not yet"));
    assertThat(p[1].state.awaitsPqStep()).isFalse();
    p[0].clock.advance(Duration.ofSeconds(1));
    p[0].receive(p[1].send("a day later"));
    assertThat(p[0].state.awaitsPqStep()).isTrue();
    byte[] announcing = p[0].send("announcing");
    assertThat(RatchetHeader.decode(announcing).kemKey()).isNotNull();
    p[1].receive(announcing);
    assertThat(p[0].receive(p[1].send("answered"))).isEqualTo("answered");
    assertThat(p[0].state.awaitsPqStep()).isFalse();
  }

  @Test
  void theKemSecretIsMixedIn_aReceiverWithAnotherKemKeyCannotOpen() throws Exception {
    Party[] p = Party.pair(23);
    int announced = pingPongUntilAnnounced(p);
    Party announcer = p[announced % 2];
    Party peer = p[(announced + 1) % 2];
    byte[] answer = peer.send("answer");

    MutableRatchet substituted = new MutableRatchet(announcer.state);
    substituted.kemPrivateKey = MlKem768.generate(new TestRandom(99)).getPrivate();
    RatchetState wrong = new RatchetState(substituted);
    assertThatThrownBy(() -> wrong.decrypt(answer, Party.EXTRA, Party.START, new TestRandom(1)))
        .isInstanceOfSatisfying(
            RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHENTIC));
    assertThat(announcer.receive(answer)).isEqualTo("answer");
  }

  @Test
  void aNewChainWithoutTheAskedCiphertext_isRefused() throws Exception {
    Party[] p = Party.pair(24);
    int announced = pingPongUntilAnnounced(p);
    Party announcer = p[announced % 2];
    Party peer = p[(announced + 1) % 2];
    MutableRatchet stripped = new MutableRatchet(peer.state);
    stripped.sendKemCiphertext = null;
    peer.state = new RatchetState(stripped);
    byte[] downgraded = peer.send("no pq");
    assertThatThrownBy(() -> announcer.receive(downgraded))
        .isInstanceOfSatisfying(
            RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PQ_STEP_INVALID));
    assertThat(announcer.state.awaitsPqStep()).isTrue();
  }

  @Test
  void aCiphertextNotAskedFor_isRefused() throws Exception {
    Party[] p = Party.pair(25);
    p[1].receive(p[0].send("hello"));
    MutableRatchet forged = new MutableRatchet(p[1].state);
    forged.sendKemCiphertext = new TestRandom(5).bytes(MlKem768.CIPHERTEXT_BYTES);
    p[1].state = new RatchetState(forged);
    byte[] unasked = p[1].send("unasked");
    assertThatThrownBy(() -> p[0].receive(unasked))
        .isInstanceOfSatisfying(
            RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PQ_STEP_INVALID));
  }

  @Test
  void anAnnouncedKeyThatIsNoMlKemKey_isRefused() throws Exception {
    Party[] p = Party.pair(26);
    MutableRatchet forged = new MutableRatchet(p[0].state);
    byte[] bad = new byte[MlKem768.ENCAPSULATION_KEY_BYTES];
    java.util.Arrays.fill(bad, (byte) 0xFF); // coefficients above q fail FIPS 203's check
    forged.kemEncapsulationKey = bad;
    p[0].state = new RatchetState(forged);
    byte[] m = p[0].send("bad key");
    assertThatThrownBy(() -> p[1].receive(m))
        .isInstanceOfSatisfying(
            RatchetException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
  }
}
