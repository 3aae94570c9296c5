package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashRingTest {
  private static String user(int i) {
    return "user" + i;
  }

  @Test
  void position_isTheFirstEightBytesOfSha256_bigEndian() {
    // SHA-256("abc") = ba7816bf8f01cfea 414140de5dae2223 ...
    assertThat(HashRing.position("abc")).isEqualTo(0xba7816bf8f01cfeaL);
  }

  @Test
  void theOrderShardsAreGivenIn_changesNoOwner() {
    HashRing one = new HashRing(new java.util.LinkedHashSet<>(java.util.List.of("a", "b", "c")));
    HashRing other = new HashRing(new java.util.LinkedHashSet<>(java.util.List.of("c", "a", "b")));
    for (int i = 0; i < 2000; i++) {
      assertThat(other.ownerOf(user(i))).isEqualTo(one.ownerOf(user(i)));
    }
    assertThat(one.fingerprint()).isEqualTo("a,b,c").isEqualTo(other.fingerprint());
  }

  @Test
  void eachOfThreeShards_ownsRoughlyAThird() {
    HashRing ring = new HashRing(Set.of("a", "b", "c"));
    Map<String, Integer> owned = new HashMap<>();
    for (int i = 0; i < 30_000; i++) {
      owned.merge(ring.ownerOf(user(i)), 1, Integer::sum);
    }
    assertThat(owned).containsOnlyKeys("a", "b", "c");
    owned.values().forEach(n -> assertThat(n).isBetween(8_000, 12_000));
  }

  @Test
  void addingAShard_movesRecipientsOnlyToTheNewShard_aboutAQuarterOfThem() {
    HashRing before = new HashRing(Set.of("a", "b", "c"));
    HashRing after = new HashRing(Set.of("a", "b", "c", "d"));
    int moved = 0;
    for (int i = 0; i < 20_000; i++) {
      String was = before.ownerOf(user(i));
      String is = after.ownerOf(user(i));
      if (!was.equals(is)) {
        assertThat(is).isEqualTo("d");
        moved++;
      }
    }
    assertThat(moved).isBetween(3_500, 6_500);
  }

  @Test
  void aFingerprint_givesBackTheSameRing() {
    HashRing ring = new HashRing(Set.of("x", "y"));
    HashRing again = HashRing.ofFingerprint(ring.fingerprint());
    for (int i = 0; i < 500; i++) {
      assertThat(again.ownerOf(user(i))).isEqualTo(ring.ownerOf(user(i)));
    }
  }

  @Test
  void aRingWithoutShards_isRefused() {
    assertThatThrownBy(() -> new HashRing(Set.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
