package dev.ztchat.server;

import static dev.ztchat.server.PrekeyTestSupport.answer;
import static dev.ztchat.server.PrekeyTestSupport.der;
import static dev.ztchat.server.PrekeyTestSupport.deviceId;
import static dev.ztchat.server.PrekeyTestSupport.prekey;
import static dev.ztchat.server.PrekeyTestSupport.publishDevice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.session.PrekeyKind;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.core.transport.TlsSettings;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's prekey store on a real relay (docs/v2/prekeys.md): publish, hand out each one-time
 * prekey once, then the last-resort one; concurrent fetches; a restart; the drain limits; refusals.
 */
class PrekeyIntegrationTest {
  private static final List<String> FETCHERS =
      List.of("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7");
  private static TestPki pki;

  @TempDir Path dir;
  private final MutableClock clock = MutableClock.atRealNow();

  @BeforeAll
  static void pki() {
    List<String> users = new ArrayList<>(List.of("alice", "bob", "mallory", "carol", "dora"));
    users.addAll(FETCHERS);
    pki = TestPki.create(users.toArray(String[]::new));
  }

  @AfterAll
  static void forget() {
    pki = null;
  }

  private RelayServer start() throws Exception {
    return RelayServer.start(
        RelayTestSupport.relayConfig(pki, dir).withRateLimit(1000, 1000),
        TlsSettings.provider(),
        clock);
  }

  private static X509Certificate deviceCert(String user) {
    return pki.device(user).certificate();
  }

  /** Publishes {@code ids} as one-time prekeys of {@code user}'s device, two per frame. */
  private static List<byte[]> publishOneTime(RawFrameClient c, String user, long... ids)
      throws Exception {
    List<byte[]> all = new ArrayList<>();
    for (int i = 0; i < ids.length; i += 2) {
      List<byte[]> batch = new ArrayList<>();
      for (int j = i; j < Math.min(ids.length, i + 2); j++) {
        batch.add(prekey(PrekeyKind.ONE_TIME_ML_KEM_768, ids[j]));
      }
      Frame f =
          answer(
              c,
              new Frame.PublishPrekeys(
                  "ot" + i, deviceId(deviceCert(user)), null, null, null, batch));
      assertThat(f).isInstanceOf(Frame.PrekeyStock.class);
      all.addAll(batch);
    }
    return all;
  }

  private static Frame fetch(RawFrameClient c, String user, String ref) throws Exception {
    return answer(c, new Frame.BundleRequest(ref, user));
  }

  private static String hexSha256(byte[] b) throws Exception {
    return hex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void publishedPrekeys_eachOneTimeHandedOutOnce_thenTheLastResort() throws Exception {
    try (RelayServer server = start();
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice");
        RawFrameClient bob = RelayTestSupport.connectWelcomed(server, pki, "bob")) {
      byte[] signed = prekey(PrekeyKind.SIGNED_X25519, 1);
      byte[] lastResort = prekey(PrekeyKind.LAST_RESORT_ML_KEM_768, 1);
      Frame.PrekeyStock stock = publishDevice(alice, deviceCert("alice"), signed, lastResort);
      assertThat(stock.oneTime()).isZero();
      assertThat(stock.oneTimeLimit()).isEqualTo(100);
      assertThat(stock.signedPrekeyId()).isEqualTo("00000001");
      assertThat(stock.lastResortId()).isEqualTo("00000001");
      List<byte[]> oneTime = publishOneTime(alice, "alice", 10, 11, 12);

      Set<String> handedOut = new java.util.HashSet<>();
      for (int i = 0; i < 3; i++) {
        Frame.PrekeyBundle b = (Frame.PrekeyBundle) fetch(bob, "alice", "b" + i);
        assertThat(b.lastResort()).isFalse();
        assertThat(b.user()).isEqualTo("alice");
        assertThat(b.device()).isEqualTo(deviceId(deviceCert("alice")));
        assertThat(b.certificate()).isEqualTo(der(deviceCert("alice")));
        assertThat(b.signedPrekey()).as("byte for byte as published").isEqualTo(signed);
        handedOut.add(hex(b.kemPrekey()));
      }
      assertThat(handedOut)
          .as("each one-time prekey once")
          .containsExactlyInAnyOrderElementsOf(
              oneTime.stream().map(PrekeyIntegrationTest::hex).toList());

      clock.advance(Duration.ofHours(2)); // not the drain limit: the supply is empty
      Frame.PrekeyBundle last = (Frame.PrekeyBundle) fetch(bob, "alice", "b3");
      assertThat(last.lastResort()).isTrue();
      assertThat(last.kemPrekey()).isEqualTo(lastResort);
      Frame.PrekeyBundle again = (Frame.PrekeyBundle) fetch(bob, "alice", "b4");
      assertThat(again.kemPrekey()).as("the last-resort prekey is kept").isEqualTo(lastResort);

      Frame.PrekeyStock after =
          (Frame.PrekeyStock)
              answer(
                  alice,
                  new Frame.PublishPrekeys(
                      "st", deviceId(deviceCert("alice")), null, null, null, List.of()));
      assertThat(after.oneTime()).isZero();
      assertThat(after.nextOneTimeId()).isEqualTo("0000000d");
      assertThat(server.securityLog().count(SecurityEvent.PREKEY_DRAIN)).isZero();
    }
  }

  @Test
  void concurrentFetches_neverGetTheSameOneTimePrekey() throws Exception {
    int perFetcher = 3; // the pair burst: no fetch meets a drain limit
    try (RelayServer server = start();
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      publishDevice(
          alice,
          deviceCert("alice"),
          prekey(PrekeyKind.SIGNED_X25519, 1),
          prekey(PrekeyKind.LAST_RESORT_ML_KEM_768, 1));
      long[] ids = new long[FETCHERS.size() * perFetcher];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = 100L + i;
      }
      List<byte[]> published = publishOneTime(alice, "alice", ids);

      List<String> got = new CopyOnWriteArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(FETCHERS.size());
      try {
        List<Future<?>> runs = new ArrayList<>();
        for (String fetcher : FETCHERS) {
          runs.add(
              pool.submit(
                  () -> {
                    try (RawFrameClient c =
                        RelayTestSupport.connectWelcomed(server, pki, fetcher)) {
                      for (int i = 0; i < perFetcher; i++) {
                        c.send(new Frame.BundleRequest(fetcher + i, "alice")); // all in flight
                      }
                      for (int i = 0; i < perFetcher; i++) {
                        Frame.PrekeyBundle b = c.expect(Frame.PrekeyBundle.class);
                        assertThat(b.lastResort()).isFalse();
                        got.add(hex(b.kemPrekey()));
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> r : runs) {
          r.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(got).doesNotHaveDuplicates();
      assertThat(got)
          .containsExactlyInAnyOrderElementsOf(
              published.stream().map(PrekeyIntegrationTest::hex).toList());
    }
  }

  @Test
  void restart_keepsTheStore_andNeverHandsOutATakenPrekeyAgain() throws Exception {
    byte[] signed = prekey(PrekeyKind.SIGNED_X25519, 1);
    List<byte[]> oneTime;
    String first;
    try (RelayServer server = start();
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice");
        RawFrameClient bob = RelayTestSupport.connectWelcomed(server, pki, "bob")) {
      publishDevice(
          alice, deviceCert("alice"), signed, prekey(PrekeyKind.LAST_RESORT_ML_KEM_768, 1));
      oneTime = publishOneTime(alice, "alice", 1, 2);
      first = hex(((Frame.PrekeyBundle) fetch(bob, "alice", "b0")).kemPrekey());
    }
    try (RelayServer server = start();
        RawFrameClient bob = RelayTestSupport.connectWelcomed(server, pki, "bob");
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      Frame.PrekeyBundle b = (Frame.PrekeyBundle) fetch(bob, "alice", "b1");
      assertThat(b.signedPrekey()).isEqualTo(signed);
      assertThat(b.lastResort()).isFalse();
      assertThat(hex(b.kemPrekey())).isNotEqualTo(first);
      assertThat(List.of(first, hex(b.kemPrekey())))
          .containsExactlyInAnyOrderElementsOf(
              oneTime.stream().map(PrekeyIntegrationTest::hex).toList());
      Frame stock =
          answer(
              alice,
              new Frame.PublishPrekeys(
                  "st", deviceId(deviceCert("alice")), null, null, null, List.of()));
      assertThat(((Frame.PrekeyStock) stock).oneTime()).isZero();
      // a retry of an old publication cannot put a handed-out prekey back
      Frame retry =
          answer(
              alice,
              new Frame.PublishPrekeys(
                  "re", deviceId(deviceCert("alice")), null, null, null, List.of(oneTime.get(0))));
      assertThat(retry).isInstanceOf(Frame.Error.class);
      assertThat(((Frame.Error) retry).code()).isEqualTo(ErrorCode.BAD_PREKEY);
      assertThat(((Frame.Error) retry).message()).contains("was published before");
    }
  }

  @Test
  void oneIdentityDrainingAVictim_getsTheLastResortOverTheLimit_andIsLogged() throws Exception {
    try (RelayServer server = start();
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice");
        RawFrameClient mallory = RelayTestSupport.connectWelcomed(server, pki, "mallory");
        RawFrameClient bob = RelayTestSupport.connectWelcomed(server, pki, "bob")) {
      byte[] lastResort = prekey(PrekeyKind.LAST_RESORT_ML_KEM_768, 1);
      publishDevice(alice, deviceCert("alice"), prekey(PrekeyKind.SIGNED_X25519, 1), lastResort);
      publishOneTime(alice, "alice", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
      List<String> events = Collections.synchronizedList(new ArrayList<>());
      server.securityLog().addListener(e -> events.add(e.line()));

      int oneTime = 0;
      for (int i = 0; i < 10; i++) {
        Frame.PrekeyBundle b = (Frame.PrekeyBundle) fetch(mallory, "alice", "m" + i);
        if (b.lastResort()) {
          assertThat(b.kemPrekey()).isEqualTo(lastResort);
        } else {
          oneTime++;
        }
      }
      assertThat(oneTime).as("the pair burst").isEqualTo(PrekeyDrainLimiter.DEFAULT_PAIR_BURST);
      assertThat(server.securityLog().count(SecurityEvent.PREKEY_DRAIN)).isEqualTo(7);
      assertThat(events)
          .allMatch(
              l ->
                  l.contains("event=PREKEY_DRAIN identity=mallory")
                      && l.contains("target=alice limit=pair action=last_resort"));

      Frame.PrekeyBundle forBob = (Frame.PrekeyBundle) fetch(bob, "alice", "b0");
      assertThat(forBob.lastResort()).as("others are not starved").isFalse();

      clock.advance(PrekeyDrainLimiter.DEFAULT_PAIR_INTERVAL);
      assertThat(((Frame.PrekeyBundle) fetch(mallory, "alice", "m10")).lastResort())
          .as("one more per interval")
          .isFalse();
      assertThat(((Frame.PrekeyBundle) fetch(mallory, "alice", "m11")).lastResort()).isTrue();
    }
  }

  @Test
  void overTheDrainLimit_withoutALastResortPrekey_isRateLimited_andLoggedAsRefused()
      throws Exception {
    try (RelayServer server = start();
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice");
        RawFrameClient mallory = RelayTestSupport.connectWelcomed(server, pki, "mallory")) {
      publishDevice(alice, deviceCert("alice"), prekey(PrekeyKind.SIGNED_X25519, 1), null);
      publishOneTime(alice, "alice", 1, 2, 3, 4, 5);
      List<String> events = Collections.synchronizedList(new ArrayList<>());
      server.securityLog().addListener(e -> events.add(e.line()));
      for (int i = 0; i < PrekeyDrainLimiter.DEFAULT_PAIR_BURST; i++) {
        assertThat(fetch(mallory, "alice", "m" + i)).isInstanceOf(Frame.PrekeyBundle.class);
      }
      Frame over = fetch(mallory, "alice", "over");
      assertThat(over).isInstanceOf(Frame.Error.class);
      assertThat(((Frame.Error) over).code()).isEqualTo(ErrorCode.RATE_LIMITED);
      assertThat(events)
          .singleElement()
          .asString()
          .contains("event=PREKEY_DRAIN identity=mallory")
          .contains("target=alice limit=pair action=refused");
      assertThat(mallory.pingRoundTrip("still-open")).isPositive();
    }
  }

  @Test
  void badSizesAndUnknownKinds_areRefusedWithClearErrors_andTheConnectionKept() throws Exception {
    try (RelayServer server = start();
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      String device = deviceId(deviceCert("alice"));
      byte[] cert = der(deviceCert("alice"));
      byte[] tooLong = PrekeyTestSupport.random(2049);
      byte[] notDer = PrekeyTestSupport.random(100);
      record Case(String name, Frame.PublishPrekeys frame, ErrorCode code, String message) {}
      List<Case> cases =
          List.of(
              new Case(
                  "short X25519 key",
                  new Frame.PublishPrekeys(
                      "a", device, cert, prekey(1, 1, 31, 70), null, List.of()),
                  ErrorCode.BAD_PREKEY,
                  "member 'signedPrekey': signed prekey: key of 31 bytes, not 32"),
              new Case(
                  "unknown kind",
                  new Frame.PublishPrekeys(
                      "b", device, cert, null, null, List.of(prekey(9, 1, 1184, 70))),
                  ErrorCode.BAD_PREKEY,
                  "member 'oneTime[0]': unknown prekey kind 9"),
              new Case(
                  "one-time prekey as last resort",
                  new Frame.PublishPrekeys(
                      "c", device, cert, null, prekey(2, 1, 1184, 70), List.of()),
                  ErrorCode.BAD_PREKEY,
                  "member 'lastResort': prekey is of kind 2, not 3"),
              new Case(
                  "short ML-KEM key",
                  new Frame.PublishPrekeys(
                      "d", device, cert, null, null, List.of(prekey(2, 1, 1183, 70))),
                  ErrorCode.BAD_PREKEY,
                  "key of 1183 bytes, not 1184"),
              new Case(
                  "empty signature",
                  new Frame.PublishPrekeys("e", device, cert, prekey(1, 1, 32, 0), null, List.of()),
                  ErrorCode.BAD_PREKEY,
                  "signature of 0 bytes, not 8 to 72"),
              new Case(
                  "long signature",
                  new Frame.PublishPrekeys(
                      "f", device, cert, prekey(1, 1, 32, 73), null, List.of()),
                  ErrorCode.BAD_PREKEY,
                  "signature of 73 bytes"),
              new Case(
                  "trailing byte",
                  new Frame.PublishPrekeys(
                      "g",
                      device,
                      cert,
                      java.util.Arrays.copyOf(
                          prekey(PrekeyKind.SIGNED_X25519, 1), 1 + 4 + 2 + 32 + 2 + 71 + 1),
                      null,
                      List.of()),
                  ErrorCode.BAD_PREKEY,
                  "signed prekey has 1 extra bytes"),
              new Case(
                  "truncated",
                  new Frame.PublishPrekeys(
                      "h",
                      device,
                      cert,
                      java.util.Arrays.copyOf(prekey(PrekeyKind.SIGNED_X25519, 1), 50),
                      null,
                      List.of()),
                  ErrorCode.BAD_PREKEY,
                  "prekey is truncated"),
              new Case(
                  "device id of another certificate",
                  new Frame.PublishPrekeys(
                      "i", deviceId(deviceCert("bob")), cert, null, null, List.of()),
                  ErrorCode.BAD_PREKEY,
                  "member 'device' is not the SHA-256 of member 'certificate'"),
              new Case(
                  "another user's certificate",
                  new Frame.PublishPrekeys(
                      "j",
                      deviceId(deviceCert("bob")),
                      der(deviceCert("bob")),
                      null,
                      null,
                      List.of()),
                  ErrorCode.BAD_CERTIFICATE,
                  "device certificate refused: certificate names 'bob', not 'alice'"),
              new Case(
                  "the user's v1 RSA signing certificate",
                  new Frame.PublishPrekeys(
                      "o",
                      deviceId(pki.user("alice").signing().certificate()),
                      der(pki.user("alice").signing().certificate()),
                      null,
                      null,
                      List.of()),
                  ErrorCode.BAD_CERTIFICATE,
                  "device certificate refused"),
              new Case(
                  "certificate too long",
                  new Frame.PublishPrekeys("m", hexSha256(tooLong), tooLong, null, null, List.of()),
                  ErrorCode.BAD_CERTIFICATE,
                  "the device certificate has 2049 bytes, more than 2048"),
              new Case(
                  "certificate not DER",
                  new Frame.PublishPrekeys("n", hexSha256(notDer), notDer, null, null, List.of()),
                  ErrorCode.BAD_CERTIFICATE,
                  "the device certificate is not an X.509 DER"),
              new Case(
                  "prekeys before the certificate",
                  new Frame.PublishPrekeys(
                      "k", device, null, prekey(PrekeyKind.SIGNED_X25519, 1), null, List.of()),
                  ErrorCode.BAD_PREKEY,
                  "send member 'certificate'"),
              new Case(
                  "not a device id",
                  new Frame.PublishPrekeys("l", "ABC", cert, null, null, List.of()),
                  ErrorCode.MALFORMED,
                  "member 'device' must be 64 hex digits"));
      for (Case c : cases) {
        Frame f = answer(alice, c.frame());
        assertThat(f).as(c.name()).isInstanceOf(Frame.Error.class);
        Frame.Error e = (Frame.Error) f;
        assertThat(e.code()).as(c.name()).isEqualTo(c.code());
        assertThat(e.message()).as(c.name()).contains(c.message());
        assertThat(e.ref()).as(c.name()).isEqualTo(c.frame().ref());
      }
      assertThat(alice.pingRoundTrip("still-open")).isPositive();
      assertThat(server.securityLog().count(SecurityEvent.BAD_CERTIFICATE)).isEqualTo(4);
    }
  }

  @Test
  void moreOneTimePrekeysThanTheLimit_areRefused() throws Exception {
    try (RelayServer server = start();
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      publishDevice(alice, deviceCert("alice"), prekey(PrekeyKind.SIGNED_X25519, 1), null);
      long[] ids = new long[100];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = i;
      }
      publishOneTime(alice, "alice", ids);
      Frame f =
          answer(
              alice,
              new Frame.PublishPrekeys(
                  "more",
                  deviceId(deviceCert("alice")),
                  null,
                  null,
                  null,
                  List.of(prekey(PrekeyKind.ONE_TIME_ML_KEM_768, 100))));
      assertThat(f).isInstanceOf(Frame.Error.class);
      assertThat(((Frame.Error) f).code()).isEqualTo(ErrorCode.TOO_MANY_PREKEYS);
      assertThat(((Frame.Error) f).message())
          .isEqualTo("the relay keeps at most 100 one-time prekeys per device and holds 100");
    }
  }

  @Test
  void bundleOfAnUnknownUser_orOfAUserWithoutPrekeys_isRefused() throws Exception {
    try (RelayServer server = start();
        RawFrameClient bob = RelayTestSupport.connectWelcomed(server, pki, "bob")) {
      Frame unknown = fetch(bob, "nobody", "u");
      assertThat(((Frame.Error) unknown).code()).isEqualTo(ErrorCode.UNKNOWN_USER);
      Frame none = fetch(bob, "carol", "c");
      assertThat(((Frame.Error) none).code()).isEqualTo(ErrorCode.NO_PREKEYS);
      assertThat(((Frame.Error) none).message()).isEqualTo("that user has published no prekeys");
    }
  }

  @Test
  void revokedDeviceCertificate_getsNoPrekeysHandedOut() throws Exception {
    try (RelayServer server = start();
        RawFrameClient bob = RelayTestSupport.connectWelcomed(server, pki, "bob")) {
      try (RawFrameClient dora = RelayTestSupport.connectWelcomed(server, pki, "dora")) {
        publishDevice(
            dora,
            deviceCert("dora"),
            prekey(PrekeyKind.SIGNED_X25519, 1),
            prekey(PrekeyKind.LAST_RESORT_ML_KEM_768, 1));
      }
      assertThat(fetch(bob, "dora", "before")).isInstanceOf(Frame.PrekeyBundle.class);
      // dora is revoked here only: the other tests share the test PKI
      X509CRL revoked = pki.revoke(deviceCert("dora"), RevocationReason.KEY_COMPROMISE);
      CrlFiles.write(new CertsLayout(dir.resolve("certs")).crl(), revoked);
      server.reloadRevocations();
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(10), () -> revoked.equals(server.currentRevocationList())))
          .isTrue();
      Frame after = fetch(bob, "dora", "after");
      assertThat(after).isInstanceOf(Frame.Error.class);
      assertThat(((Frame.Error) after).code()).isEqualTo(ErrorCode.NO_PREKEYS);
      assertThat(((Frame.Error) after).message()).contains("no longer valid");
    }
  }
}
