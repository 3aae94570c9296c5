package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.PkiRevocation;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewal ({@code pki renew}) is not a revocation: the renewed user's running client carries on
 * with the new keys, and messages to them wait until their new keys can be used (docs/PROTOCOL.md
 * section 10).
 */
class RenewalIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** What a user sees, including notices, connection states and key changes. */
  static class Screen extends Inbox {
    final List<String> notices = new CopyOnWriteArrayList<>();
    final List<ConnectionStatus> states = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final BlockingQueue<KeyChangedException> keyChanges = new LinkedBlockingQueue<>();

    @Override
    public void onNotice(String notice) {
      notices.add(notice);
    }

    @Override
    public void onConnectionState(ConnectionStatus status) {
      states.add(status);
    }

    @Override
    public void onSendFailed(String peer, String reason) {
      failures.add(peer + ": " + reason);
    }

    @Override
    public void onSendBlocked(KeyChangedException change) {
      keyChanges.add(change);
    }
  }

  /** bob as the CLI configures him: keys read from the certs folder, and again after a renewal. */
  ChatClientConfig bobFromTheCertsFolder() throws Exception {
    return bobFrom(certs);
  }

  ChatClientConfig bobFrom(CertsLayout folder) throws Exception {
    KeyReload reload = KeyReload.fromCertsFolder(folder.root(), "bob");
    KeyReload.StoredKeys keys = reload.read();
    return new ChatClientConfig(
            "localhost",
            server.port(),
            keys.me(),
            pki.ca().certificate(),
            dir.resolve("b"),
            AcceptancePolicy.DEFAULT,
            Clock.systemUTC(),
            keys.previousEncryption())
        .withKeyReload(reload);
  }

  ChatClient alice(Screen screen) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
            "localhost",
            server.port(),
            pki.user("alice"),
            pki.ca().certificate(),
            dir.resolve("a")),
        screen);
  }

  void renewBob() throws Exception {
    new PkiRevocation(certs, Clock.systemUTC(), line -> {})
        .renew("bob", TestPki.TEST_KEY_BITS, 30, Duration.ofDays(7));
  }

  /**
   * Renews bob in the administrator's own copy of the folder and gives the relay only the new CRL:
   * the relay knows bob's new keys only once he connects with them.
   */
  CertsLayout renewBobElsewhere() throws Exception {
    CertsLayout admin = pki.writeTo(dir.resolve("admin"));
    new PkiRevocation(admin, Clock.systemUTC(), line -> {})
        .renew("bob", TestPki.TEST_KEY_BITS, 30, Duration.ofDays(7));
    Files.copy(admin.crl(), certs.crl(), StandardCopyOption.REPLACE_EXISTING);
    return admin;
  }

  /**
   * alice fetches the CA's list once the relay has loaded the one naming bob's old certificates.
   */
  static void untilAliceKnowsOfTheRenewal(ChatClient alice) throws Exception {
    assertThat(
            Polling.eventually(
                Duration.ofSeconds(20),
                () -> {
                  try {
                    return alice.refreshRevocations() >= 2;
                  } catch (Exception e) {
                    return false;
                  }
                }))
        .as("the relay serves the CRL of the renewal")
        .isTrue();
  }

  @Test
  void renewedWhileRunning_clientCarriesOnWithTheNewKeys_andReceivesMessagesSentAfterTheRenewal()
      throws Exception {
    Screen bobScreen = new Screen();
    Screen aliceScreen = new Screen();
    try (ChatClient alice = alice(aliceScreen);
        ChatClient bob = ChatClient.connect(bobFromTheCertsFolder(), bobScreen)) {
      alice.send("bob", "before the renewal");
      assertThat(bobScreen.next().text()).isEqualTo("before the renewal");

      renewBob();

      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(60),
                  () -> bobScreen.notices.contains(ChatClient.RENEWED_NOTICE)))
          .as("told: " + bobScreen.states)
          .isTrue();
      assertThat(Polling.eventually(Duration.ofSeconds(30), bob::isConnected)).isTrue();
      assertThat(bobScreen.states).noneMatch(s -> s.state() == ConnectionState.REFUSED);
      assertThat(bobScreen.states)
          .allMatch(s -> s.reason() == null || !s.reason().contains("revoked by the CA"));

      untilAliceKnowsOfTheRenewal(alice);
      KeyChangedException change =
          Assertions.assertThrows(
              KeyChangedException.class, () -> alice.send("bob", "after the renewal?"));
      alice.acceptKeyChange(change.newKeys());
      assertThat(alice.send("bob", "after the renewal").statusOf("bob").accepted()).isTrue();
      assertThat(bobScreen.next().text()).isEqualTo("after the renewal");
      assertThat(bob.history("alice", 10))
          .extracting(HistoryEntry::text)
          .containsExactly("before the renewal", "after the renewal");
    }
  }

  @Test
  void renewedWithoutTheNewKeysAtHand_isToldToCopyThem_notThatItWasRevoked() throws Exception {
    Screen bobScreen = new Screen();
    try (ChatClient bob = ChatClient.connect(bobFromTheCertsFolder(), bobScreen)) {
      // The administrator renews in another folder; bob's folder gets only the new CRL.
      renewBobElsewhere();

      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(60),
                  () ->
                      bobScreen.states.stream()
                          .anyMatch(s -> s.state() == ConnectionState.REFUSED)))
          .isTrue();
      ConnectionStatus last = bobScreen.states.getLast();
      assertThat(last.describe())
          .contains(
              "your keys were renewed by the administrator; copy the new keys for bob into "
                  + certs.userDir("bob").toAbsolutePath()
                  + " and restart")
          .doesNotContain("revoked");
    }
  }

  @Test
  void messageToRenewedContact_waitsInTheOutbox_andIsDeliveredOnceTheirNewKeysAreAccepted()
      throws Exception {
    Screen aliceScreen = new Screen();
    try (ChatClient alice = alice(aliceScreen)) {
      try (ChatClient bob = ChatClient.connect(bobFromTheCertsFolder(), new Screen())) {
        alice.send("bob", "first");
      }
      CertsLayout admin =
          renewBobElsewhere(); // bob is offline: the relay's directory still holds his superseded
      // certificates
      untilAliceKnowsOfTheRenewal(alice);

      alice.sendOrKeep("bob", "while bob is renewed");
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(20),
                  () -> aliceScreen.notices.stream().anyMatch(n -> n.contains("renewed"))))
          .as("told why")
          .isTrue();
      alice.sendOrKeep("bob", "and another");
      // send flushes the outbox on this thread first, so the waiting messages were tried again
      assertThatThrownBy(() -> alice.send("bob", "and a third"))
          .isInstanceOf(ContactKeysRenewedException.class);
      assertThat(aliceScreen.notices.stream().filter(n -> n.contains("renewed")))
          .as("told once")
          .hasSize(1);
      assertThat(aliceScreen.failures).as("nothing dropped").isEmpty();

      Screen bobScreen = new Screen();
      try (ChatClient bob = ChatClient.connect(bobFrom(admin), bobScreen)) {
        KeyChangedException change =
            aliceScreen.keyChanges.poll(
                ChatClient.RENEWED_CONTACT_RECHECK.toSeconds() + 20, TimeUnit.SECONDS);
        assertThat(change).as("bob's new keys appear as a key change").isNotNull();
        assertThat(bobScreen.messages)
            .isEmpty(); // nothing goes to new keys before alice accepts them
        alice.acceptKeyChange(change.newKeys());
        assertThat(bobScreen.next().text()).isEqualTo("while bob is renewed");
        assertThat(bobScreen.next().text()).isEqualTo("and another");
        assertThat(bobScreen.next().text()).isEqualTo("and a third");
      }
      assertThat(aliceScreen.failures).isEmpty();
    }
  }

  @Test
  void sendingNowToAContactWhoseKeysWereRenewed_keepsTheMessage_andSaysWhy() throws Exception {
    Screen aliceScreen = new Screen();
    CertsLayout admin;
    try (ChatClient alice = alice(aliceScreen)) {
      try (ChatClient bob = ChatClient.connect(bobFromTheCertsFolder(), new Screen())) {
        alice.send("bob", "first");
      }
      admin = renewBobElsewhere();
      untilAliceKnowsOfTheRenewal(alice);
      assertThatThrownBy(() -> alice.send("bob", "kept for later"))
          .isInstanceOf(ContactKeysRenewedException.class)
          .hasMessageContaining("renewed")
          .hasMessageContaining("kept");
    }
    Screen bobScreen = new Screen();
    Screen aliceAgain = new Screen();
    try (ChatClient bob = ChatClient.connect(bobFrom(admin), bobScreen);
        ChatClient alice = alice(aliceAgain)) {
      KeyChangedException change = aliceAgain.keyChanges.poll(20, TimeUnit.SECONDS);
      assertThat(change).as("the kept message waits for bob's new keys to be accepted").isNotNull();
      alice.acceptKeyChange(change.newKeys());
      assertThat(bobScreen.next().text()).isEqualTo("kept for later");
    }
  }
}
