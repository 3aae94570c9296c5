package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.session.PrekeyKind;
import dev.ztchat.core.testkit.MutableClock;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The prekey store's rules (docs/v2/prekeys.md section 4), which every {@link PrekeyStore} keeps:
 * each backend's test extends this and says how to open it ({@link #open}).
 */
abstract class PrekeyStoreContract {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] DEVICE = new byte[32];
  private static final byte[] CERT = {1, 2, 3};

  final MutableClock clock = MutableClock.atRealNow();

  static PublishedPrekey prekey(PrekeyKind kind, long id) throws PrekeyRefusedException {
    byte[] key = new byte[kind.keyLength()];
    RANDOM.nextBytes(key);
    ByteBuffer b = ByteBuffer.allocate(1 + 4 + 2 + key.length + 2 + 64);
    b.put((byte) kind.code()).putInt((int) id).putShort((short) key.length).put(key);
    b.putShort((short) 64).put(new byte[64]);
    return PublishedPrekey.parse(b.array(), kind);
  }

  private static PrekeyUpload oneTime(String owner, long... ids) throws PrekeyRefusedException {
    List<PublishedPrekey> list = new ArrayList<>();
    for (long id : ids) {
      list.add(prekey(PrekeyKind.ONE_TIME_ML_KEM_768, id));
    }
    return new PrekeyUpload(owner, DEVICE, null, null, null, list);
  }

  /**
   * Opens the store under test, keeping at most {@code max} one-time prekeys per device; within one
   * test every call opens the same database.
   */
  abstract PrekeyStore open(int max) throws Exception;

  private static void register(PrekeyStore s, String owner) throws Exception {
    s.publish(
        new PrekeyUpload(
            owner,
            DEVICE,
            CERT,
            prekey(PrekeyKind.SIGNED_X25519, 1),
            prekey(PrekeyKind.LAST_RESORT_ML_KEM_768, 1),
            List.of()));
  }

  @Test
  void take_handsOutEachOneTimePrekeyOnce_lowestIdFirst_thenTheLastResort() throws Exception {
    try (PrekeyStore s = open(10)) {
      register(s, "alice");
      PrekeyUpload up = oneTime("alice", 7, 5);
      s.publish(up);
      assertThat(s.take("alice", DEVICE, true).orElseThrow().kemPrekey())
          .isEqualTo(up.oneTime().get(1).encoded());
      assertThat(s.take("alice", DEVICE, true).orElseThrow().kemPrekey())
          .isEqualTo(up.oneTime().get(0).encoded());
      HandedOutBundle last = s.take("alice", DEVICE, true).orElseThrow();
      assertThat(last.lastResort()).isTrue();
      assertThat(s.stock("alice", DEVICE).orElseThrow().oneTime()).isZero();
    }
  }

  @Test
  void take_withoutOneTimeAllowed_keepsTheSupply() throws Exception {
    try (PrekeyStore s = open(10)) {
      register(s, "alice");
      s.publish(oneTime("alice", 1));
      assertThat(s.take("alice", DEVICE, false).orElseThrow().lastResort()).isTrue();
      assertThat(s.stock("alice", DEVICE).orElseThrow().oneTime()).isEqualTo(1);
    }
  }

  @Test
  void twoStoresOnOneDatabase_takingConcurrently_neverHandOutAPrekeyTwice() throws Exception {
    int n = 60;
    try (PrekeyStore a = open(100);
        PrekeyStore b = open(100)) {
      register(a, "alice");
      long[] ids = new long[n];
      for (int i = 0; i < n; i++) {
        ids[i] = i;
      }
      a.publish(oneTime("alice", ids));
      List<String> got = new CopyOnWriteArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> runs = new ArrayList<>();
        for (PrekeyStore s : List.of(a, b, a, b)) {
          runs.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < n / 4 + 5; i++) {
                      Optional<HandedOutBundle> t = s.take("alice", DEVICE, true);
                      if (t.isPresent() && !t.get().lastResort()) {
                        got.add(HexFormat.of().formatHex(t.get().kemPrekey()));
                      }
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> r : runs) {
          r.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(got).hasSize(n).doesNotHaveDuplicates();
    }
  }

  @Test
  void publish_overTheLimit_isRefusedWhole() throws Exception {
    try (PrekeyStore s = open(3)) {
      register(s, "alice");
      s.publish(oneTime("alice", 1, 2));
      assertThatThrownBy(() -> s.publish(oneTime("alice", 3, 4)))
          .isInstanceOf(PrekeyRefusedException.class)
          .hasMessage("the relay keeps at most 3 one-time prekeys per device and holds 2")
          .extracting(e -> ((PrekeyRefusedException) e).reason())
          .isEqualTo(PrekeyRefusedException.Reason.FULL);
      assertThat(s.stock("alice", DEVICE).orElseThrow().oneTime()).isEqualTo(2);
      assertThat(s.stock("alice", DEVICE).orElseThrow().nextOneTimeId()).isEqualTo(3);
    }
  }

  @Test
  void publish_retryOfStoredPrekeys_isAccepted_butAnOldIdWithOtherBytesIsNot() throws Exception {
    try (PrekeyStore s = open(10)) {
      register(s, "alice");
      PrekeyUpload up = oneTime("alice", 1, 2);
      s.publish(up);
      assertThat(s.publish(up).oneTime()).as("a retry changes nothing").isEqualTo(2);
      s.take("alice", DEVICE, true); // id 1 is gone
      assertThatThrownBy(() -> s.publish(up))
          .isInstanceOf(PrekeyRefusedException.class)
          .hasMessageContaining("one-time prekey id 00000001 was published before")
          .extracting(e -> ((PrekeyRefusedException) e).reason())
          .isEqualTo(PrekeyRefusedException.Reason.REUSED_ID);
      assertThatThrownBy(
              () ->
                  s.publish(
                      new PrekeyUpload(
                          "alice",
                          DEVICE,
                          null,
                          prekey(PrekeyKind.SIGNED_X25519, 1),
                          null,
                          List.of())))
          .hasMessage("signed prekey id 00000001 is not above the stored one, 00000001");
    }
  }

  @Test
  void newerSignedPrekey_replacesTheOlder() throws Exception {
    try (PrekeyStore s = open(10)) {
      register(s, "alice");
      PublishedPrekey newer = prekey(PrekeyKind.SIGNED_X25519, 2);
      s.publish(new PrekeyUpload("alice", DEVICE, null, newer, null, List.of()));
      assertThat(s.take("alice", DEVICE, true).orElseThrow().signedPrekey())
          .isEqualTo(newer.encoded());
    }
  }

  @Test
  void prekeysOfAnUnknownDevice_areRefused() throws Exception {
    try (PrekeyStore s = open(10)) {
      assertThatThrownBy(() -> s.publish(oneTime("alice", 1)))
          .isInstanceOf(PrekeyRefusedException.class)
          .extracting(e -> ((PrekeyRefusedException) e).reason())
          .isEqualTo(PrekeyRefusedException.Reason.UNKNOWN_DEVICE);
    }
  }

  @Test
  void aNewDevice_joinsTheUsersEarlierOne_whichKeepsItsPrekeys() throws Exception {
    try (PrekeyStore s = open(10)) {
      register(s, "alice");
      s.publish(oneTime("alice", 1));
      byte[] other = new byte[32];
      other[0] = 1;
      s.publish(new PrekeyUpload("alice", other, new byte[] {9}, null, null, List.of()));
      assertThat(s.currentDevice("alice").orElseThrow().device()).isEqualTo(other);
      assertThat(s.stock("alice", DEVICE).orElseThrow().oneTime()).isEqualTo(1);
    }
  }

  @Test
  void pastTheDeviceLimit_theDeviceRegisteredFirstGoes() throws Exception {
    try (PrekeyStore s = open(10)) {
      register(s, "alice");
      for (int i = 1; i <= PrekeyStore.MAX_DEVICES; i++) {
        byte[] other = new byte[32];
        other[0] = (byte) i;
        s.publish(new PrekeyUpload("alice", other, new byte[] {9}, null, null, List.of()));
      }
      assertThat(s.stock("alice", DEVICE)).isEmpty();
      byte[] second = new byte[32];
      second[0] = 1;
      assertThat(s.stock("alice", second)).isPresent();
    }
  }

  @Test
  void theStore_survivesAReopen() throws Exception {
    try (PrekeyStore s = open(10)) {
      register(s, "alice");
      s.publish(oneTime("alice", 1, 2));
      s.take("alice", DEVICE, true);
    }
    try (PrekeyStore s = open(10)) {
      assertThat(s.stock("alice", DEVICE).orElseThrow().oneTime()).isEqualTo(1);
      assertThat(s.currentDevice("alice").orElseThrow().certificate()).isEqualTo(CERT);
    }
  }
}
