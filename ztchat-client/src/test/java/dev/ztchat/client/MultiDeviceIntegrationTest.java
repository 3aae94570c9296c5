package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several devices per person through a real relay (docs/v2/devices.md section 6): a message is
 * sealed to every device of its recipient and to the sender's other devices; a copy from one's own
 * device reads as sent by me; a device that was offline gets what it missed exactly once.
 */
class MultiDeviceIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  Credential bobLaptop;
  Credential bobPhone;
  CertsLayout certs;
  RelayServer server;

  Credential device(String name, String device) {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        name,
        device,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    bobLaptop = device("bob", "laptop");
    bobPhone = device("bob", "phone");
    certs = pki.writeTo(dir.resolve("certs"));
    certs.writeDevice("bob", "laptop", bobLaptop, false);
    certs.writeDevice("bob", "phone", bobPhone, false);
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A listener that also keeps the copies of one's own messages from other devices. */
  static final class DeviceInbox extends Inbox {
    final BlockingQueue<String> own = new LinkedBlockingQueue<>();
    final BlockingQueue<String> notices = new LinkedBlockingQueue<>();
    final BlockingQueue<KeyChangedException> blocked = new LinkedBlockingQueue<>();
    final BlockingQueue<String> delivered = new LinkedBlockingQueue<>();

    @Override
    public void onDelivered(String peer, String messageIdHex) {
      delivered.add(peer + " " + messageIdHex);
    }

    @Override
    public void onSendBlocked(KeyChangedException change) {
      blocked.add(change);
    }

    @Override
    public void onOwnMessage(String peer, OpenedMessage message) {
      own.add("me -> " + peer + ": " + message.text());
    }

    @Override
    public void onNotice(String notice) {
      notices.add(notice);
    }

    String nextOwn() throws InterruptedException {
      String m = own.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a copy of my own message arrives").isNotNull();
      return m;
    }
  }

  ChatClient connect(String user, String folder, Credential device, ChatListener inbox)
      throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user(user),
                pki.ca().certificate(),
                dir.resolve(folder))
            .withDevice(device),
        inbox);
  }

  /** Waits until the relay lists {@code count} devices of {@code user}, with their prekeys. */
  static void awaitDevices(ChatClient asker, String user, int count) throws InterruptedException {
    assertThat(
            Polling.eventually(
                WAIT,
                () -> {
                  try {
                    List<String> listed = asker.connection().fetchBundle(user).devices();
                    for (String d : listed) {
                      asker.connection().fetchBundle(user, d);
                    }
                    return listed.size() == count;
                  } catch (IOException e) {
                    return false;
                  }
                }))
        .as("the relay lists " + count + " devices of " + user + ", each with prekeys")
        .isTrue();
  }

  @Test
  void aMessageReachesEveryDeviceOfItsRecipient_andAReplyReadsAsMineOnMyOtherDevice()
      throws Exception {
    Inbox alicesInbox = new Inbox();
    DeviceInbox laptopsInbox = new DeviceInbox();
    DeviceInbox phonesInbox = new DeviceInbox();
    try (ChatClient alice = connect("alice", "alice", pki.device("alice"), alicesInbox);
        ChatClient laptop = connect("bob", "bob+laptop", bobLaptop, laptopsInbox);
        ChatClient phone = connect("bob", "bob+phone", bobPhone, phonesInbox)) {
      awaitDevices(alice, "bob", 2);

      alice.send("bob", "hello bob");
      assertThat(laptopsInbox.next().text()).isEqualTo("hello bob");
      assertThat(phonesInbox.next().text()).isEqualTo("hello bob");

      laptop.send("alice", "hello alice, from my laptop");
      OpenedMessage reply = alicesInbox.next();
      assertThat(reply.sender()).isEqualTo("bob");
      assertThat(reply.text()).isEqualTo("hello alice, from my laptop");
      assertThat(phonesInbox.nextOwn()).isEqualTo("me -> alice: hello alice, from my laptop");
      assertThat(phonesInbox.messages).as("not shown as a message from bob to bob").isEmpty();
      assertThat(phone.history("alice", 10))
          .extracting(HistoryEntry::direction, HistoryEntry::text)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(HistoryEntry.Direction.IN, "hello bob"),
              org.assertj.core.groups.Tuple.tuple(
                  HistoryEntry.Direction.OUT, "hello alice, from my laptop"));
      assertThat(phone.history("bob", 10)).as("no conversation of bob with bob").isEmpty();
      assertThat(laptopsInbox.warnings).isEmpty();
      assertThat(phonesInbox.warnings).isEmpty();
      assertThat(alicesInbox.warnings).isEmpty();
    }
  }

  @Test
  void aDeviceOfflineDuringTheSend_getsTheMessageOnReconnect_exactlyOnce() throws Exception {
    Inbox alicesInbox = new Inbox();
    DeviceInbox laptopsInbox = new DeviceInbox();
    try (ChatClient alice = connect("alice", "alice", pki.device("alice"), alicesInbox);
        ChatClient laptop = connect("bob", "bob+laptop", bobLaptop, laptopsInbox)) {
      try (ChatClient phone = connect("bob", "bob+phone", bobPhone, new DeviceInbox())) {
        awaitDevices(alice, "bob", 2);
      }
      alice.send("bob", "while your phone was off");
      laptop.send("alice", "my phone is off");
      assertThat(laptopsInbox.next().text()).isEqualTo("while your phone was off");
      assertThat(alicesInbox.next().text()).isEqualTo("my phone is off");

      DeviceInbox phonesInbox = new DeviceInbox();
      try (ChatClient phone = connect("bob", "bob+phone", bobPhone, phonesInbox)) {
        assertThat(phonesInbox.next().text()).isEqualTo("while your phone was off");
        assertThat(phonesInbox.nextOwn()).isEqualTo("me -> alice: my phone is off");
        assertThat(phonesInbox.messages.poll(1, TimeUnit.SECONDS)).as("exactly once").isNull();
        assertThat(phonesInbox.own).isEmpty();
        assertThat(phone.history("alice", 10)).hasSize(2);
      }
      DeviceInbox again = new DeviceInbox();
      try (ChatClient phone = connect("bob", "bob+phone", bobPhone, again)) {
        assertThat(again.messages.poll(2, TimeUnit.SECONDS))
            .as("nothing is delivered twice after a reconnect")
            .isNull();
        assertThat(again.own).isEmpty();
      }
    }
  }

  static String hexId(Credential device) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(device.certificate().getEncoded()));
  }

  @Test
  void aNewRecipientDevice_isRefusedAsStale_toldLikeAKeyChange_heldTillAccepted_revokedOneDropped()
      throws Exception {
    DeviceInbox alicesInbox = new DeviceInbox();
    DeviceInbox laptopsInbox = new DeviceInbox();
    DeviceInbox phonesInbox = new DeviceInbox();
    DeviceInbox tabletsInbox = new DeviceInbox();
    Credential bobTablet = device("bob", "tablet");
    try (ChatClient alice = connect("alice", "alice", pki.device("alice"), alicesInbox);
        ChatClient laptop = connect("bob", "bob+laptop", bobLaptop, laptopsInbox);
        ChatClient phone = connect("bob", "bob+phone", bobPhone, phonesInbox)) {
      awaitDevices(alice, "bob", 2);
      alice.send("bob", "one");
      assertThat(laptopsInbox.next().text()).isEqualTo("one");
      assertThat(phonesInbox.next().text()).isEqualTo("one");
      assertThat(alice.devices.deviceSet("bob")).hasSize(2);

      try (ChatClient tablet = connect("bob", "bob+tablet", bobTablet, tabletsInbox)) {
        awaitDevices(alice, "bob", 3);
        alice.send("bob", "two"); // alice's list is stale: refused, refreshed, sealed again
        assertThat(laptopsInbox.next().text()).isEqualTo("two");
        assertThat(phonesInbox.next().text()).isEqualTo("two");
        KeyChangedException told = alicesInbox.blocked.poll(10, TimeUnit.SECONDS);
        assertThat(told).as("the new device is told like a key change").isNotNull();
        assertThat(told.contact()).isEqualTo("bob");
        assertThat(told.newDevice()).isEqualTo(hexId(bobTablet));
        assertThat(told.newFingerprint().replace(" ", "")).isEqualTo(hexId(bobTablet));
        assertThat(tabletsInbox.messages.poll(1, TimeUnit.SECONDS))
            .as("held: nothing is sealed to the new device before it is accepted")
            .isNull();
        assertThat(alice.history("bob", 10))
            .as("the refused attempt left nothing in the history")
            .extracting(HistoryEntry::text)
            .containsExactly("one", "two");

        alice.acceptChange(told);
        assertThat(tabletsInbox.next().text())
            .as("what was sent while it was held reaches it once accepted")
            .isEqualTo("two");
        alice.send("bob", "three");
        assertThat(tabletsInbox.next().text()).isEqualTo("three");
        assertThat(laptopsInbox.next().text()).isEqualTo("three");
        assertThat(phonesInbox.next().text()).isEqualTo("three");
        assertThat(alice.devices.deviceSet("bob")).hasSize(3);

        X509CRL revoked = pki.revoke(bobPhone.certificate(), RevocationReason.KEY_COMPROMISE);
        CrlFiles.write(certs.crl(), revoked);
        server.reloadRevocations();
        assertThat(Polling.eventually(WAIT, () -> revoked.equals(server.currentRevocationList())))
            .isTrue();
        alice.send("bob", "four"); // the phone is extra now: dropped
        assertThat(laptopsInbox.next().text()).isEqualTo("four");
        assertThat(tabletsInbox.next().text()).isEqualTo("four");
        assertThat(phonesInbox.messages.poll(1, TimeUnit.SECONDS)).isNull();
        assertThat(alice.devices.deviceSet("bob")).hasSize(2).doesNotContain(hexId(bobPhone));
      }
      assertThat(laptopsInbox.messages).as("each message once").isEmpty();
      assertThat(alicesInbox.warnings).isEmpty();
    }
  }

  /**
   * A receipt goes to the sessions' devices without the relay's device check (docs/v2/devices.md
   * section 6.2); once the relay named a device as extra, the revocation list is fetched again
   * before the next receipt, so one sealed right after a revocation no longer names that device.
   */
  @Test
  void aReceiptRightAfterADeviceWasRevoked_isNotSealedToThatDevice() throws Exception {
    DeviceInbox alicesInbox = new DeviceInbox();
    DeviceInbox laptopsInbox = new DeviceInbox();
    DeviceInbox phonesInbox = new DeviceInbox();
    List<byte[]> reachingLaptop = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ChatClient alice = connect("alice", "alice", pki.device("alice"), alicesInbox);
        ChatClient laptop = connect("bob", "bob+laptop", bobLaptop, laptopsInbox)) {
      try (ChatClient phone = connect("bob", "bob+phone", bobPhone, phonesInbox)) {
        awaitDevices(alice, "bob", 2);
        alice.send("bob", "one");
        assertThat(laptopsInbox.next().text()).isEqualTo("one");
        assertThat(phonesInbox.next().text()).isEqualTo("one");
        phone.send("alice", "from the phone"); // alice now has a session with the phone
        assertThat(alicesInbox.next().text()).isEqualTo("from the phone");
      }
      alice.refreshRevocations(); // a list fetched just before the revocation, still fresh

      X509CRL revoked = pki.revoke(bobPhone.certificate(), RevocationReason.KEY_COMPROMISE);
      CrlFiles.write(certs.crl(), revoked);
      server.reloadRevocations();
      assertThat(Polling.eventually(WAIT, () -> revoked.equals(server.currentRevocationList())))
          .isTrue();
      alice.send("bob", "two"); // refused as stale: the phone is extra now
      assertThat(laptopsInbox.next().text()).isEqualTo("two");
      assertThat(alice.devicesOf("bob"))
          .extracting(ContactDevice::id)
          .doesNotContain(hexId(bobPhone));

      laptop.onRawEnvelope(reachingLaptop::add);
      SendResult three = laptop.send("alice", "three");
      assertThat(alicesInbox.next().text()).isEqualTo("three");
      assertThat(
              Polling.eventually(
                  WAIT, () -> laptopsInbox.delivered.contains("alice " + three.messageId())))
          .as("alice's receipt for 'three' reaches the laptop")
          .isTrue();
      assertThat(reachingLaptop).as("alice's receipt for 'three'").isNotEmpty();
      for (byte[] envelope : reachingLaptop) {
        assertThat(GroupConversationIntegrationTest.entries(envelope))
            .as("the devices alice's receipt is sealed to")
            .contains(hexId(bobLaptop))
            .doesNotContain(hexId(bobPhone));
      }
    }
  }

  @Test
  void aDeviceRenewedAlone_isShownToContactsAsANewDevice_heldTillAccepted_theOldOneDropped()
      throws Exception {
    DeviceInbox alicesInbox = new DeviceInbox();
    DeviceInbox laptopsInbox = new DeviceInbox();
    DeviceInbox phonesInbox = new DeviceInbox();
    try (ChatClient alice = connect("alice", "alice", pki.device("alice"), alicesInbox);
        ChatClient laptop = connect("bob", "bob+laptop", bobLaptop, laptopsInbox)) {
      try (ChatClient phone = connect("bob", "bob+phone", bobPhone, phonesInbox)) {
        awaitDevices(alice, "bob", 2);
        alice.send("bob", "one");
        assertThat(laptopsInbox.next().text()).isEqualTo("one");
        assertThat(phonesInbox.next().text()).isEqualTo("one");
      }
      // pki renew bob --device phone
      X509CRL crl = CrlFiles.read(certs.crl());
      new dev.ztchat.core.pki.PkiRevocation(certs, java.time.Clock.systemUTC(), line -> {})
          .renewDevice("bob", "phone", 30, Duration.ofDays(7));
      server.reloadRevocations();
      assertThat(Polling.eventually(WAIT, () -> !crl.equals(server.currentRevocationList())))
          .isTrue();
      Credential renewed = certs.readDevice("bob", "phone");
      DeviceInbox renewedInbox = new DeviceInbox();
      try (ChatClient phone = connect("bob", "bob+phone+renewed", renewed, renewedInbox)) {
        awaitDevices(alice, "bob", 2);
        alice.send("bob", "two");
        assertThat(laptopsInbox.next().text()).isEqualTo("two");
        KeyChangedException told = alicesInbox.blocked.poll(10, TimeUnit.SECONDS);
        assertThat(told).as("the renewed device is told like a key change").isNotNull();
        assertThat(told.newDevice()).isEqualTo(hexId(renewed));
        assertThat(told.newDeviceName()).isEqualTo("phone");
        assertThat(renewedInbox.messages.poll(1, TimeUnit.SECONDS)).as("held").isNull();
        assertThat(alice.devices.deviceSet("bob"))
            .as("the superseded device is dropped")
            .containsExactly(hexId(bobLaptop));

        alice.acceptChange(told);
        assertThat(renewedInbox.next().text()).isEqualTo("two");
        alice.send("bob", "three");
        assertThat(laptopsInbox.next().text()).isEqualTo("three");
        assertThat(renewedInbox.next().text()).isEqualTo("three");
      }
      assertThat(phonesInbox.messages).as("nothing more for the old phone").isEmpty();
    }
  }

  @Test
  void withNewDevicesSend_theNewDeviceGetsTheMessageAtOnce_andTheUserIsTold() throws Exception {
    DeviceInbox alicesInbox = new DeviceInbox();
    DeviceInbox laptopsInbox = new DeviceInbox();
    DeviceInbox phonesInbox = new DeviceInbox();
    ChatClientConfig aliceConfig =
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user("alice"),
                pki.ca().certificate(),
                dir.resolve("alice"))
            .withDevice(pki.device("alice"))
            .withSendToNewDevices(true);
    try (ChatClient alice = ChatClient.connect(aliceConfig, alicesInbox);
        ChatClient laptop = connect("bob", "bob+laptop", bobLaptop, laptopsInbox)) {
      awaitDevices(alice, "bob", 1);
      alice.send("bob", "one");
      assertThat(laptopsInbox.next().text()).isEqualTo("one");
      try (ChatClient phone = connect("bob", "bob+phone", bobPhone, phonesInbox)) {
        awaitDevices(alice, "bob", 2);
        alice.send("bob", "two");
        assertThat(laptopsInbox.next().text()).isEqualTo("two");
        assertThat(phonesInbox.next().text()).isEqualTo("two");
        String told = null;
        for (String n = alicesInbox.notices.poll(10, TimeUnit.SECONDS);
            n != null && told == null;
            n = alicesInbox.notices.poll(10, TimeUnit.SECONDS)) {
          told = n.contains("new device") ? n : null;
        }
        assertThat(told)
            .contains("bob has a new device (fingerprint " + hexId(bobPhone).substring(0, 4));
        assertThat(alicesInbox.blocked).isEmpty();
      }
    }
  }
}
