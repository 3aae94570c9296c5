package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.session.PrekeyKind;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.session.SignedPrekey;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client with a version-2 device credential over a real relay: it authenticates with the device
 * certificate, publishes its prekeys (kept across restarts) and tops them up; another client
 * fetches and verifies them; a v1-only user has none; a forged or foreign bundle is refused; a
 * pinned contact's new device is told to the user.
 */
class DeviceKeysIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig serverConfig;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    serverConfig =
        RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
            .withPort(0);
    server = RelayServer.start(serverConfig);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig config(String user, Credential device) {
    return ChatClientConfig.of(
            "localhost",
            server.port(),
            pki.user(user),
            pki.ca().certificate(),
            dir.resolve("data-" + user))
        .withDevice(device);
  }

  ChatClientConfig config(String user) {
    return config(user, pki.device(user));
  }

  /** Waits until the relay hands out a bundle of {@code user}'s device, and returns it. */
  static Frame.PrekeyBundle bundleOf(ChatClient asker, String user) throws Exception {
    AtomicReference<Frame.PrekeyBundle> got = new AtomicReference<>();
    assertThat(
            Polling.eventually(
                WAIT,
                () -> {
                  try {
                    got.set(asker.connection().fetchBundle(user));
                    return true;
                  } catch (java.io.IOException e) {
                    return false;
                  }
                }))
        .as("the relay hands out a bundle of " + user)
        .isTrue();
    return got.get();
  }

  @Test
  void aClientWithADevice_authenticatesWithTheDeviceCertificate() throws Exception {
    // Alice's v1 signing key comes from another CA: the relay would refuse it, so only the device
    // certificate can have let her in.
    UserIdentity rogueSigning = TestPki.rogue("alice").user("alice");
    UserIdentity mixed =
        new UserIdentity("alice", rogueSigning.signing(), pki.user("alice").encryption());
    ChatClientConfig c =
        ChatClientConfig.of(
                "localhost", server.port(), mixed, pki.ca().certificate(), dir.resolve("a"))
            .withDevice(pki.device("alice"));
    try (ChatClient alice = ChatClient.connect(c, new Inbox())) {
      assertThat(alice.boundIdentity()).isEqualTo("alice");
    }
    assertThatThrownBy(() -> ChatClient.connect(c.withDevice(null), new Inbox()))
        .as("without the device, the foreign signing certificate is refused")
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void aDeviceCertificateOfAnotherUser_isRefusedInTheConfiguration() {
    assertThatThrownBy(() -> config("alice", pki.device("bob")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("device certificate is for 'bob', not 'alice'");
  }

  @Test
  void prekeys_arePublishedOnConnecting_verifiedByAPeer_andToppedUpToTheRelaysLimit()
      throws Exception {
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox());
        ChatClient bob = ChatClient.connect(config("bob"), new Inbox())) {
      Frame.PrekeyBundle answer = bundleOf(bob, "alice");
      assertThat(answer.certificate()).isEqualTo(pki.device("alice").certificate().getEncoded());
      PeerDevices.Lookup.Found found = bob.devices.verify("alice", answer);
      assertThat(HexFormat.of().formatHex(found.deviceId()))
          .isEqualTo(alice.prekeyPublisher().deviceId());

      // The supply is filled in the background; asking again changes nothing once it is full.
      assertThat(
              Polling.eventually(
                  WAIT,
                  () -> {
                    try {
                      return alice.prekeyPublisher().publish(alice.connection()).oneTime() >= 99;
                    } catch (java.io.IOException e) {
                      return false;
                    }
                  }))
          .as("the one-time supply reaches the relay's limit")
          .isTrue();
      Frame.PrekeyStock full = alice.prekeyPublisher().publish(alice.connection());
      assertThat(full.oneTimeLimit()).isEqualTo(100);
      assertThat(full.oneTime()).as("bob may have taken one meanwhile").isBetween(99, 100);
      assertThat(alice.prekeyPublisher().prekeys().oneTimePrekeys()).hasSize(100);

      PeerDevices.Lookup next = bob.devices.fetch("alice");
      assertThat(next).isInstanceOf(PeerDevices.Lookup.Found.class);
      assertThat(((PeerDevices.Lookup.Found) next).bundle().kemPrekey().kind())
          .isEqualTo(PrekeyKind.ONE_TIME_ML_KEM_768);
      assertThat(bob.devices.knownDevice("alice")).hasValue(alice.prekeyPublisher().deviceId());
    }
  }

  @Test
  void aPublicationTheRelayRateLimits_isTriedAgainOnTheSameConnection() throws Exception {
    // A budget of two frames: the client's publish and its first prekeys frame use it up, so the
    // relay turns the last-resort prekey away (as when another connection of the same user has
    // just spent the budget).
    server.close();
    server = RelayServer.start(serverConfig.withRateLimit(1, 2));
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      assertThat(
              Polling.eventually(
                  WAIT,
                  () -> {
                    Frame.PrekeyStock s = alice.prekeyPublisher().lastStock();
                    return s != null && s.lastResortId() != null && s.oneTime() > 0;
                  }))
          .as("the last-resort and one-time prekeys reach the relay after all")
          .isTrue();
      assertThat(alice.isConnected()).isTrue();
    }
  }

  @Test
  void aRetryPauseDoubles_upToAMinute() {
    assertThat(ChatClient.prekeyRetryPause(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(ChatClient.prekeyRetryPause(1)).isEqualTo(Duration.ofSeconds(2));
    assertThat(ChatClient.prekeyRetryPause(5)).isEqualTo(Duration.ofSeconds(32));
    assertThat(ChatClient.prekeyRetryPause(6)).isEqualTo(Duration.ofMinutes(1));
    assertThat(ChatClient.prekeyRetryPause(40)).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void prekeys_surviveARestart_andTheSameSignedPrekeyIsPublishedAgain() throws Exception {
    byte[] signedBefore;
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox());
        ChatClient bob = ChatClient.connect(config("bob"), new Inbox())) {
      signedBefore = bundleOf(bob, "alice").signedPrekey();
      assertThat(signedBefore).isEqualTo(alice.prekeyPublisher().prekeys().signedPrekey().encode());
    }
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox());
        ChatClient bob = ChatClient.connect(config("bob"), new Inbox())) {
      assertThat(alice.prekeyPublisher().prekeys().signedPrekey().encode()).isEqualTo(signedBefore);
      assertThat(alice.prekeyPublisher().publish(alice.connection()).signedPrekeyId())
          .isEqualTo(String.format("%08x", alice.prekeyPublisher().prekeys().signedPrekey().id()));
      assertThat(bundleOf(bob, "alice").signedPrekey()).isEqualTo(signedBefore);
    }
  }

  @Test
  void aSignedPrekeyDueForRotation_isReplaced_andTheNewOneIsPublished() throws Exception {
    MutableClock clock = MutableClock.atRealNow();
    ChatClientConfig c =
        new ChatClientConfig(
                "localhost",
                server.port(),
                pki.user("alice"),
                pki.ca().certificate(),
                dir.resolve("data-alice"),
                AcceptancePolicy.DEFAULT,
                clock,
                List.of())
            .withDevice(pki.device("alice"));
    long before;
    try (ChatClient alice = ChatClient.connect(c, new Inbox());
        ChatClient bob = ChatClient.connect(config("bob"), new Inbox())) {
      before = SignedPrekey.decode(bundleOf(bob, "alice").signedPrekey()).id();
    }
    clock.advance(PrekeyStore.SIGNED_PREKEY_ROTATION.plusHours(1));
    try (ChatClient alice = ChatClient.connect(c, new Inbox());
        ChatClient bob = ChatClient.connect(config("bob"), new Inbox())) {
      assertThat(
              Polling.eventually(
                  WAIT,
                  () -> {
                    try {
                      return SignedPrekey.decode(
                                  bob.connection().fetchBundle("alice").signedPrekey())
                              .id()
                          > before;
                    } catch (Exception e) {
                      return false;
                    }
                  }))
          .as("the relay hands out the new signed prekey")
          .isTrue();
      assertThat(alice.prekeyPublisher().prekeys().rotationDue(clock.instant())).isFalse();
    }
  }

  @Test
  void prekeysTheRelayRefuses_areToldToTheUser_andTheClientStaysConnected() throws Exception {
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      assertThat(
              Polling.eventually(
                  WAIT,
                  () -> {
                    try {
                      return alice.prekeyPublisher().publish(alice.connection()).signedPrekeyId()
                          != null;
                    } catch (java.io.IOException e) {
                      return false;
                    }
                  }))
          .isTrue();
    }
    // A reset data folder: fresh prekeys whose ids start again below what the relay holds.
    try (var files = java.nio.file.Files.walk(dir.resolve("data-alice"))) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(p);
      }
    }
    BlockingQueue<String> notices = new LinkedBlockingQueue<>();
    Inbox inbox =
        new Inbox() {
          @Override
          public void onNotice(String notice) {
            if (notice.contains("refused this device")) {
              notices.add(notice);
            }
          }
        };
    try (ChatClient alice = ChatClient.connect(config("alice"), inbox)) {
      String notice = notices.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(notice)
          .startsWith("[!] The server refused this device's version-2 keys (")
          .contains("ask your administrator for a new device certificate");
      assertThat(alice.isConnected()).isTrue();
      assertThat(alice.whoIsOnline()).contains("alice");
    }
  }

  @Test
  void aV1OnlyUser_hasNoDevice_andPublishesNothing() throws Exception {
    try (ChatClient carol = ChatClient.connect(config("carol", null), new Inbox());
        ChatClient bob = ChatClient.connect(config("bob"), new Inbox())) {
      assertThat(carol.prekeyPublisher()).isNull();
      assertThat(bob.devices.fetch("carol")).isInstanceOf(PeerDevices.Lookup.NoDevice.class);
      assertThat(bob.devices.knownDevice("carol")).isEmpty();
    }
  }

  @Test
  void aBundleWithAnAlteredSignatureOrOfAnotherUserOrCa_isRefused() throws Exception {
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox());
        ChatClient bob = ChatClient.connect(config("bob"), new Inbox())) {
      Frame.PrekeyBundle good = bundleOf(bob, "alice");

      byte[] spk = good.signedPrekey();
      spk[spk.length - 3] ^= 1;
      assertThatThrownBy(() -> bob.devices.verify("alice", withSignedPrekey(good, spk)))
          .isInstanceOf(UntrustedContactException.class)
          .hasMessageContaining("does not verify");

      assertThatThrownBy(() -> bob.devices.verify("carol", relabel(good, "carol")))
          .as("alice's device offered as carol's")
          .isInstanceOf(UntrustedContactException.class)
          .hasMessageContaining("refusing the device keys the server gave for 'carol'");

      // A device of another CA that signed its prekeys itself: the signatures verify, the chain
      // does not.
      Credential rogue = TestPki.rogue("alice").device("alice");
      var key = new dev.ztchat.core.session.DeviceKey(rogue.privateKey(), rogue.certificate());
      var store =
          dev.ztchat.core.session.PrekeyStore.generate(
              key, 1, Instant.now(), new java.security.SecureRandom());
      byte[] der = rogue.certificate().getEncoded();
      Frame.PrekeyBundle forged =
          new Frame.PrekeyBundle(
              null,
              "alice",
              HexFormat.of().formatHex(key.certificateHash()),
              der,
              store.signedPrekey().encode(),
              store.oneTimePrekeys().getFirst().encode(),
              false);
      assertThatThrownBy(() -> bob.devices.verify("alice", forged))
          .isInstanceOf(UntrustedContactException.class)
          .hasMessageContaining("a signature that our root CA did not make");
    }
  }

  @Test
  void aContactsNewDevice_isToldToTheUser() throws Exception {
    BlockingQueue<String> notices = new LinkedBlockingQueue<>();
    Inbox bobInbox =
        new Inbox() {
          @Override
          public void onNotice(String notice) {
            if (notice.contains("different device")) {
              notices.add(notice);
            }
          }
        };
    try (ChatClient bob = ChatClient.connect(config("bob"), bobInbox)) {
      try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
        bundleOf(bob, "alice");
        assertThat(bob.devices.fetch("alice")).isInstanceOf(PeerDevices.Lookup.Found.class);
      }
      Credential newDevice =
          CertificateIssuer.issueDevice(
              pki.ca(),
              "alice",
              Instant.now().minus(Duration.ofMinutes(5)),
              Duration.ofDays(30),
              null);
      try (ChatClient alice = ChatClient.connect(config("alice", newDevice), new Inbox())) {
        assertThat(
                Polling.eventually(
                    WAIT,
                    () -> {
                      try {
                        return bob.devices.fetch("alice") instanceof PeerDevices.Lookup.Found f
                            && Arrays.equals(
                                f.bundle().certificateDer(), newDevice.certificate().getEncoded());
                      } catch (Exception e) {
                        return false;
                      }
                    }))
            .isTrue();
        String notice = notices.poll(10, TimeUnit.SECONDS);
        assertThat(notice)
            .startsWith("[!] alice uses a different device than before")
            .contains("compare safety numbers");
        assertThat(bob.devices.knownDevice("alice")).hasValue(alice.prekeyPublisher().deviceId());
      }
    }
  }

  private static Frame.PrekeyBundle withSignedPrekey(Frame.PrekeyBundle b, byte[] spk) {
    return new Frame.PrekeyBundle(
        b.ref(), b.user(), b.device(), b.certificate(), spk, b.kemPrekey(), b.lastResort());
  }

  private static Frame.PrekeyBundle relabel(Frame.PrekeyBundle b, String user) {
    return new Frame.PrekeyBundle(
        b.ref(),
        user,
        b.device(),
        b.certificate(),
        b.signedPrekey(),
        b.kemPrekey(),
        b.lastResort());
  }
}
