package dev.ztchat.core.ratchet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The stored state: round trip and a strict decoder (docs/v2/ratchet.md section 8). */
class RatchetStateCodecTest {
  private static RatchetState roundTrip(RatchetState s) {
    byte[] bytes = s.toBytes();
    RatchetState back = RatchetState.fromBytes(bytes);
    assertThat(back.toBytes()).isEqualTo(bytes);
    return back;
  }

  @Test
  void freshStates_roundTrip_andStillTalk() throws Exception {
    Party[] p = Party.pair(50);
    p[0].state = roundTrip(p[0].state);
    p[1].state = roundTrip(p[1].state);
    assertThat(p[1].receive(p[0].send("after storing"))).isEqualTo("after storing");
  }

  @Test
  void stateWithSkippedKeysAndAPendingKemKey_roundTrips_andStillTalks() throws Exception {
    Party[] p = Party.pair(51);
    int announced = RatchetPqStepTest.pingPongUntilAnnounced(p);
    Party announcer = p[announced % 2];
    Party peer = p[(announced + 1) % 2];
    byte[] lateToPeer = announcer.send("late");
    peer.receive(announcer.send("overtakes"));
    byte[] answer = peer.send("answer");
    assertThat(peer.state.skippedKeyCount()).isEqualTo(1);
    assertThat(announcer.state.awaitsPqStep()).isTrue();

    announcer.state = roundTrip(announcer.state);
    peer.state = roundTrip(peer.state);
    assertThat(announcer.receive(answer)).isEqualTo("answer");
    assertThat(peer.receive(lateToPeer)).isEqualTo("late");
    assertThat(announcer.state.awaitsPqStep()).isFalse();
  }

  @Test
  void everyTruncation_isRefused() throws Exception {
    Party[] p = Party.pair(52);
    RatchetPqStepTest.pingPongUntilAnnounced(p);
    p[0].send("lost");
    p[1].receive(p[0].send("skips one"));
    for (Party party : p) {
      byte[] bytes = party.state.toBytes();
      for (int length = 0; length < bytes.length; length++) {
        byte[] cut = Arrays.copyOf(bytes, length);
        assertThatThrownBy(() -> RatchetState.fromBytes(cut))
            .as("length %d", length)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("not a stored ratchet state");
      }
    }
  }

  @Test
  void aVersion1State_isStillRead_andStoredAgainAsVersion2() throws Exception {
    Party[] p = Party.pair(55);
    p[1].receive(p[0].send("turns bob's ratchet"));
    byte[] current = p[1].state.toBytes();
    assertThat(current[0]).isEqualTo(RatchetStateCodec.VERSION);
    assertThat(current[1] & RatchetStateCodec.HAS_SEND_KEY).isNotZero();
    // Version 1 is the same layout without the sending public key after the sending private key.
    int publicKeyAt = 2 + 32 + 32 + 32;
    byte[] version1 = new byte[current.length - 32];
    System.arraycopy(current, 0, version1, 0, publicKeyAt);
    System.arraycopy(
        current, publicKeyAt + 32, version1, publicKeyAt, current.length - publicKeyAt - 32);
    version1[0] = RatchetStateCodec.VERSION_1;

    p[1].state = RatchetState.fromBytes(version1);

    assertThat(p[1].state.toBytes()).isEqualTo(current);
    assertThat(p[0].receive(p[1].send("after the upgrade"))).isEqualTo("after the upgrade");
  }

  @Test
  void trailingByte_unknownVersion_andUnknownFlag_areRefused() {
    byte[] bytes = Party.pair(53)[1].state.toBytes();
    byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> RatchetState.fromBytes(trailing))
        .hasMessageContaining("trailing bytes");
    byte[] version = bytes.clone();
    version[0] = 3;
    assertThatThrownBy(() -> RatchetState.fromBytes(version)).hasMessageContaining("version");
    byte[] flag = bytes.clone();
    flag[1] |= (byte) 0x80;
    assertThatThrownBy(() -> RatchetState.fromBytes(flag)).hasMessageContaining("flags");
  }

  @Test
  void impossibleCombination_isRefused() {
    byte[] bytes = Party.pair(54)[1].state.toBytes();
    // The responder's fresh state has only its sending key; claim a sending chain and take the
    // 32 bytes it would need from the end.
    byte[] chainWithoutKey = bytes.clone();
    chainWithoutKey[1] = (byte) (RatchetStateCodec.HAS_SEND_CHAIN | RatchetStateCodec.HAS_PQ_CLOCK);
    assertThatThrownBy(() -> RatchetState.fromBytes(chainWithoutKey))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] nothing = bytes.clone();
    nothing[1] = 0;
    assertThatThrownBy(() -> RatchetState.fromBytes(nothing))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void copy_isTheStoredStateWithoutEncoding_andDestroyingOrUsingTheOriginalLeavesItIntact()
      throws Exception {
    Party[] p = Party.pair(56);
    p[0].send("lost");
    p[1].receive(p[0].send("skips one"));
    byte[] before = p[1].state.toBytes();

    RatchetState copy = p[1].state.copy();
    p[1].send("uses the original");
    p[1].state.destroy();

    assertThat(copy.toBytes()).isEqualTo(before);
    assertThat(copy.skippedKeyCount()).isEqualTo(1);
    assertThat(copy.usedToEncrypt()).isFalse();
  }

  @Test
  void copy_ofAStateUsedToEncrypt_isRefused() {
    Party[] p = Party.pair(57);
    RatchetState used = p[0].state;
    p[0].send("spends it");

    assertThatThrownBy(used::copy)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already used to encrypt");
  }
}
