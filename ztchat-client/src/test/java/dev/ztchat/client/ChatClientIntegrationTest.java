package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real clients through a real relay over real TLS. */
class ChatClientIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Records what a client's user would see. */
  static class Inbox implements ChatListener {
    final BlockingQueue<OpenedMessage> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<String> warnings = new LinkedBlockingQueue<>();
    final BlockingQueue<RejectionReason> reasons = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(OpenedMessage message) {
      messages.add(message);
    }

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
      warnings.add(claimedSender + ": " + reason + " - " + explanation);
      if (reason != null) {
        reasons.add(reason);
      }
    }

    OpenedMessage next() throws InterruptedException {
      OpenedMessage m = messages.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a message arrives").isNotNull();
      return m;
    }
  }

  ChatClient connect(UserIdentity id, Inbox inbox) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
            "localhost",
            server.port(),
            id,
            pki.ca().certificate(),
            dir.resolve("data-" + id.name())),
        inbox);
  }

  @Test
  void messages_flowBothWays_andArriveDecryptedAndVerified() throws Exception {
    Inbox aliceInbox = new Inbox();
    Inbox bobInbox = new Inbox();
    try (ChatClient alice = connect(pki.user("alice"), aliceInbox);
        ChatClient bob = connect(pki.user("bob"), bobInbox)) {
      SendResult r = alice.send("bob", "hello bob");
      // bob is online but has never written to alice: the relay does not tell her
      // (docs/SECURITY.md)
      assertThat(r.statusOf("bob")).isEqualTo(DeliveryStatus.QUEUED);
      OpenedMessage m = bobInbox.next();
      assertThat(m.sender()).isEqualTo("alice");
      assertThat(m.text()).isEqualTo("hello bob");
      assertThat(m.messageIdHex()).isEqualTo(r.messageId());

      bob.send("alice", "hi alice, ünïcödé ✓");
      assertThat(aliceInbox.next().text()).isEqualTo("hi alice, ünïcödé ✓");
      assertThat(alice.send("bob", "you are online").statusOf("bob"))
          .isEqualTo(DeliveryStatus.DELIVERED);
      assertThat(bobInbox.next().text()).isEqualTo("you are online");
      assertThat(bobInbox.warnings).isEmpty();
    }
  }

  @Test
  void send_toOfflineUser_isQueued() throws Exception {
    try (ChatClient alice = connect(pki.user("alice"), new Inbox())) {
      assertThat(alice.send("carol", "are you there?").statusOf("carol"))
          .isEqualTo(DeliveryStatus.QUEUED);
    }
  }

  @Test
  void send_toUnknownUser_isRefusedBeforeAnythingIsSent() throws Exception {
    try (ChatClient alice = connect(pki.user("alice"), new Inbox())) {
      assertThatThrownBy(() -> alice.send("mallory", "hi"))
          .isInstanceOf(UntrustedContactException.class)
          .hasMessageContaining("mallory");
    }
  }

  @Test
  void tooLongMessage_isRefusedWithTheMaximum() throws Exception {
    try (ChatClient alice = connect(pki.user("alice"), new Inbox());
        ChatClient bob = connect(pki.user("bob"), new Inbox())) {
      assertThatThrownBy(() -> alice.send("bob", "x".repeat(20_000)))
          .isInstanceOf(MessageTooLongException.class)
          .hasMessageContaining("maximum is");
      MessageTooLongException e =
          Assertions.assertThrows(
              MessageTooLongException.class, () -> alice.send("bob", "x".repeat(20_000)));
      // exactly the maximum fits, one more byte does not
      assertThat(alice.send("bob", "y".repeat(e.maxBytes())).statusOf("bob").accepted()).isTrue();
      assertThatThrownBy(() -> alice.send("bob", "y".repeat(e.maxBytes() + 1)))
          .isInstanceOf(MessageTooLongException.class);
    }
  }

  @Test
  void changedKeysOfPinnedContact_warnAndBlockSending_untilAccepted() throws Exception {
    Inbox bobInbox = new Inbox();
    try (ChatClient alice = connect(pki.user("alice"), new Inbox())) {
      try (ChatClient bob = connect(pki.user("bob"), bobInbox)) {
        alice.send("bob", "first");
        assertThat(bobInbox.next().text()).isEqualTo("first");
      }
      // bob gets new keys from the CA (a new device, or an attacker with a mis-issued certificate)
      UserIdentity newBob = pki.addUser("bob");
      Inbox newBobInbox = new Inbox();
      try (ChatClient bob2 =
          ChatClient.connect(
              ChatClientConfig.of(
                  "localhost",
                  server.port(),
                  newBob,
                  pki.ca().certificate(),
                  dir.resolve("data-bob2")),
              newBobInbox)) {
        KeyChangedException e =
            Assertions.assertThrows(
                KeyChangedException.class, () -> alice.send("bob", "secret for bob"));
        assertThat(e.pinnedFingerprint()).isNotEqualTo(e.newFingerprint());
        assertThat(newBobInbox.messages.poll(500, TimeUnit.MILLISECONDS))
            .as("nothing sent to the new key")
            .isNull();
        alice.acceptKeyChange(e.newKeys());
        alice.send("bob", "after accepting");
        assertThat(newBobInbox.next().text()).isEqualTo("after accepting");
      }
    }
  }

  @Test
  void safetyNumber_isTheSameOnBothSides() throws Exception {
    try (ChatClient alice = connect(pki.user("alice"), new Inbox());
        ChatClient bob = connect(pki.user("bob"), new Inbox())) {
      String a = alice.safetyNumber("bob");
      assertThat(a).matches("\\d{5}( \\d{5}){5}");
      assertThat(bob.safetyNumber("alice")).isEqualTo(a);
      assertThat(alice.safetyNumber("carol")).isNotEqualTo(a);
    }
  }

  @Test
  void certificatesExpiringWithin30Days_areAnnounced_ownAndServers() throws Exception {
    // TestPki issues 30-day certificates: all of them are inside the warning period
    BlockingQueue<String> notices = new LinkedBlockingQueue<>();
    Inbox inbox =
        new Inbox() {
          @Override
          public void onNotice(String notice) {
            notices.add(notice);
          }
        };
    try (ChatClient alice = connect(pki.user("alice"), inbox)) {
      List<String> seen = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String n = notices.poll(5, TimeUnit.SECONDS);
        assertThat(n).isNotNull();
        seen.add(n);
      }
      assertThat(seen)
          .anyMatch(n -> n.contains("your signing certificate expires"))
          .anyMatch(n -> n.contains("your encryption certificate expires"))
          .anyMatch(n -> n.contains("the server's certificate expires"));
    }
  }

  @Test
  void localStore_isPrivateToItsOwner() throws Exception {
    try (ChatClient alice = connect(pki.user("alice"), new Inbox())) {
      Path data = dir.resolve("data-alice");
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(data.resolve("client.db"))))
          .isEqualTo("rw-------");
      assertThat(
              PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("seen.db"))))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
          .isEqualTo("rwx------");
    }
  }
}
