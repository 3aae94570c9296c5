package dev.ztchat.core.ratchet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ML-KEM step heals against an attacker who can break X25519 (docs/v2/ratchet.md section 10):
 * one who stole a state and can compute every X25519 private key from its public key (here an
 * oracle fed from the parties' states, standing in for a quantum computer) follows the ratchet
 * through the DH steps, but not past the first ML-KEM step whose key was made after the theft.
 */
class RatchetQuantumHealingTest {
  private static final HexFormat HEX = HexFormat.of();

  /** Follows the root chain from a stolen root key, with every X25519 private key at hand. */
  private static final class QuantumThief {
    private final Map<String, X25519.KeyPair> oracle = new HashMap<>();
    private final Map<String, byte[]> chains = new HashMap<>();
    private final byte[] ad;
    private final PrivateKey stolenKemKey;
    private byte[] rootKey;
    private byte[] lastKey;

    QuantumThief(RatchetState stolen) {
      this.ad = stolen.ad;
      this.rootKey = stolen.rootKey;
      this.lastKey = stolen.sendKey.publicKey();
      this.stolenKemKey = stolen.kemPrivateKey;
      // The victim's current sending chain, from its first message on.
      assertThat(stolen.sendN).isZero();
      chains.put(HEX.formatHex(lastKey), stolen.sendChain);
    }

    /** What a quantum computer would give: the private key of every public key it has seen. */
    void learn(RatchetState s) {
      if (s.sendKey != null) {
        oracle.put(HEX.formatHex(s.sendKey.publicKey()), s.sendKey);
      }
    }

    boolean opens(byte[] message) throws Exception {
      RatchetHeader h = RatchetHeader.decode(message);
      String dh = HEX.formatHex(h.dh());
      if (!chains.containsKey(dh) && !Arrays.equals(h.dh(), lastKey)) {
        byte[] dhOutput = X25519.agree(oracle.get(HEX.formatHex(lastKey)).privateKey(), h.dh());
        byte[] kemSecret = null;
        if (h.kemCiphertext() != null) {
          // The ML-KEM secret: known only if the key it answers was in the stolen state.
          kemSecret =
              stolenKemKey != null
                  ? MlKem768.decapsulate(stolenKemKey, h.kemCiphertext())
                  : new byte[32];
        }
        RatchetKdf.RootStep step = RatchetKdf.root(rootKey, dhOutput, kemSecret);
        rootKey = step.rootKey();
        chains.put(dh, step.chainKey());
        lastKey = h.dh();
      }
      byte[] chain = chains.get(dh);
      if (chain == null) {
        return false;
      }
      for (long i = 0; i < h.n(); i++) {
        chain = RatchetKdf.chain(chain).nextChainKey();
      }
      int length = h.length();
      try {
        RatchetKdf.open(
            RatchetKdf.chain(chain).messageKey(),
            RatchetKdf.concat(RatchetKdf.concat(ad, Arrays.copyOf(message, length)), Party.EXTRA),
            Arrays.copyOfRange(message, length, message.length));
        return true;
      } catch (RatchetException e) {
        return false;
      }
    }
  }

  @Test
  void thiefWhoBreaksX25519_readsUntilTheNextMlKemStep_andNothingAfter() throws Exception {
    Party[] p = Party.pair(70);
    for (int i = 0; i < 10; i++) {
      p[(i + 1) % 2].receive(p[i % 2].send("before " + i));
    }
    // The last message went Bob -> Alice: Alice has just taken a DH step. Her state is stolen.
    QuantumThief thief = new QuantumThief(p[0].state);
    assertThat(p[0].state.awaitsPqStep()).isFalse();

    List<byte[]> wire = new ArrayList<>();
    int answer = -1;
    for (int i = 0; i < 90; i++) {
      Party sender = p[i % 2];
      Party receiver = p[(i + 1) % 2];
      byte[] m = sender.send("after " + i);
      thief.learn(sender.state);
      receiver.receive(m);
      thief.learn(receiver.state);
      wire.add(m);
      if (answer < 0 && RatchetHeader.decode(m).kemCiphertext() != null) {
        answer = i;
      }
    }
    assertThat(answer).as("an ML-KEM step happened").isPositive();

    for (int i = 0; i < wire.size(); i++) {
      assertThat(thief.opens(wire.get(i)))
          .as("message %d (the ML-KEM answer is %d)", i, answer)
          .isEqualTo(i < answer);
    }
  }
}
