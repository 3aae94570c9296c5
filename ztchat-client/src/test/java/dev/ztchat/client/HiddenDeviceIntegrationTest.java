package dev.ztchat.client;

import static dev.ztchat.client.MultiDeviceIntegrationTest.awaitDevices;
import static dev.ztchat.client.MultiDeviceIntegrationTest.hexId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.MultiDeviceIntegrationTest.DeviceInbox;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device of bob that alice's view of bob lacks, as when the relay hides it from her (it left
 * bob's phone out of the bundle's list and of its stale check while alice wrote): it is detected
 * the next time the hidden device writes, and when alice's own devices disagree on bob's devices
 * (docs/v2/devices.md section 6.4). The relay here is genuine; the phone is unknown to alice's
 * device because it had not connected yet when she learnt bob's devices, which is what alice's
 * device sees of a hidden one, and the detection happens before alice sends again (before the
 * relay's own stale check could tell her).
 */
class HiddenDeviceIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;
  final Credential[] named = new Credential[4]; // alice laptop, alice phone, bob laptop, bob phone

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    certs = pki.writeTo(dir.resolve("certs"));
    String[][] devices = {
      {"alice", "laptop"}, {"alice", "phone"}, {"bob", "laptop"}, {"bob", "phone"}
    };
    for (int i = 0; i < devices.length; i++) {
      named[i] =
          CertificateIssuer.issueDevice(
              pki.ca(),
              devices[i][0],
              devices[i][1],
              Instant.now().minus(Duration.ofMinutes(5)),
              Duration.ofDays(30),
              null);
      certs.writeDevice(devices[i][0], devices[i][1], named[i], false);
    }
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClient connect(String user, Credential device, ChatListener inbox) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user(user),
                pki.ca().certificate(),
                dir.resolve(user + "+" + hexId(device).substring(0, 8)))
            .withDevice(device),
        inbox);
  }

  @Test
  void aMessageFromAnUnlistedDevice_isShown_theDeviceToldAndHeld_andGetsNothingBeforeAccepted()
      throws Exception {
    DeviceInbox alicesInbox = new DeviceInbox();
    DeviceInbox laptopsInbox = new DeviceInbox();
    DeviceInbox phonesInbox = new DeviceInbox();
    String phone = hexId(named[3]);
    try (ChatClient alice = connect("alice", pki.device("alice"), alicesInbox);
        ChatClient bobLaptop = connect("bob", named[2], laptopsInbox)) {
      awaitDevices(alice, "bob", 1);
      alice.send("bob", "hello bob");
      assertThat(laptopsInbox.next().text()).isEqualTo("hello bob");
      assertThat(alice.devicesOf("bob")).extracting(ContactDevice::id).doesNotContain(phone);

      try (ChatClient bobPhone = connect("bob", named[3], phonesInbox)) {
        awaitDevices(bobPhone, "alice", 1);
        bobPhone.send("alice", "hello alice, from my phone");
        assertThat(alicesInbox.next().text())
            .as("the message itself is genuine and shown")
            .isEqualTo("hello alice, from my phone");
        KeyChangedException told = alicesInbox.blocked.poll(10, TimeUnit.SECONDS);
        assertThat(told).as("told like a key change").isNotNull();
        assertThat(told.newDevice()).isEqualTo(phone);
        assertThat(told.newDeviceName()).isEqualTo("phone");
        assertThat(told.newFingerprint()).isEqualTo(PeerDevices.fingerprint(phone));
        assertThat(alicesInbox.notices)
            .anySatisfy(
                n -> assertThat(n).contains("was never told of").contains(told.newFingerprint()));
        assertThat(alice.devicesOf("bob"))
            .as("held until accepted")
            .contains(new ContactDevice(phone, PeerDevices.fingerprint(phone), false));

        alice.send("bob", "while your phone is held");
        assertThat(laptopsInbox.next().text()).isEqualTo("while your phone is held");
        assertThat(phonesInbox.messages.poll(2, TimeUnit.SECONDS))
            .as("nothing is sealed to a held device")
            .isNull();

        alice.acceptChange(told);
        assertThat(phonesInbox.next().text())
            .as("once accepted, what it missed is sealed to it")
            .isEqualTo("while your phone is held");
        assertThat(alicesInbox.blocked).as("told once").isEmpty();
      }
    }
  }

  @Test
  void aCopyFromMyOtherDevice_sealedToADeviceThisOneLacks_isCheckedAndTold_beforeThisOneSends()
      throws Exception {
    DeviceInbox aliceLaptopsInbox = new DeviceInbox();
    DeviceInbox alicePhonesInbox = new DeviceInbox();
    DeviceInbox bobLaptopsInbox = new DeviceInbox();
    DeviceInbox bobPhonesInbox = new DeviceInbox();
    String bobPhone = hexId(named[3]);
    try (ChatClient aliceLaptop = connect("alice", named[0], aliceLaptopsInbox);
        ChatClient alicePhone = connect("alice", named[1], alicePhonesInbox);
        ChatClient bobLaptop = connect("bob", named[2], bobLaptopsInbox)) {
      awaitDevices(aliceLaptop, "bob", 1);
      awaitDevices(aliceLaptop, "alice", 2);
      aliceLaptop.send("bob", "hello bob, from my laptop");
      assertThat(bobLaptopsInbox.next().text()).isEqualTo("hello bob, from my laptop");
      assertThat(alicePhonesInbox.nextOwn()).isEqualTo("me -> bob: hello bob, from my laptop");

      try (ChatClient phone = connect("bob", named[3], bobPhonesInbox)) {
        awaitDevices(alicePhone, "bob", 2);
        alicePhone.send("bob", "hello bob, from my phone");
        assertThat(bobPhonesInbox.next().text()).isEqualTo("hello bob, from my phone");
        assertThat(aliceLaptopsInbox.nextOwn()).isEqualTo("me -> bob: hello bob, from my phone");

        KeyChangedException told = aliceLaptopsInbox.blocked.poll(10, TimeUnit.SECONDS);
        assertThat(told)
            .as("the laptop is told of bob's phone its other device writes to")
            .isNotNull();
        assertThat(told.newDevice()).isEqualTo(bobPhone);
        assertThat(told.newDeviceName()).isEqualTo("phone");
        assertThat(aliceLaptopsInbox.notices)
            .anySatisfy(n -> assertThat(n).contains("your devices disagree"));
        assertThat(aliceLaptop.devicesOf("bob"))
            .contains(new ContactDevice(bobPhone, PeerDevices.fingerprint(bobPhone), false));
        assertThat(alicePhonesInbox.blocked).as("the phone's view was complete").isEmpty();
      }
    }
  }

  @Test
  void aCopyFromMyOtherDevice_leavingOutADeviceThisOneWritesTo_isToldOnce_withBothFingerprints()
      throws Exception {
    DeviceInbox aliceLaptopsInbox = new DeviceInbox();
    DeviceInbox alicePhonesInbox = new DeviceInbox();
    DeviceInbox bobLaptopsInbox = new DeviceInbox();
    DeviceInbox bobPhonesInbox = new DeviceInbox();
    String alicePhone = hexId(named[1]);
    String bobPhone = hexId(named[3]);
    try (ChatClient aliceLaptop = connect("alice", named[0], aliceLaptopsInbox);
        ChatClient phone = connect("alice", named[1], alicePhonesInbox);
        ChatClient bobLaptop = connect("bob", named[2], bobLaptopsInbox)) {
      awaitDevices(phone, "bob", 1);
      awaitDevices(phone, "alice", 2);
      phone.send("bob", "from my phone, before"); // the phone's view of bob: his laptop
      assertThat(bobLaptopsInbox.next().text()).isEqualTo("from my phone, before");
      assertThat(aliceLaptopsInbox.nextOwn()).isEqualTo("me -> bob: from my phone, before");

      try (ChatClient bobsPhone = connect("bob", named[3], bobPhonesInbox)) {
        awaitDevices(aliceLaptop, "bob", 2);
        aliceLaptop.send("bob", "from my laptop"); // the laptop's view: both of bob's devices
        assertThat(bobPhonesInbox.next().text()).isEqualTo("from my laptop");
        assertThat(bobLaptopsInbox.next().text()).isEqualTo("from my laptop");
        assertThat(alicePhonesInbox.nextOwn()).isEqualTo("me -> bob: from my laptop");
        assertThat(alicePhonesInbox.blocked.poll(10, TimeUnit.SECONDS))
            .as("the phone holds bob's phone, learnt from the laptop's copy")
            .isNotNull();

        phone.send("bob", "from my phone, after"); // sealed without bob's held phone
        assertThat(bobLaptopsInbox.next().text()).isEqualTo("from my phone, after");
        assertThat(aliceLaptopsInbox.nextOwn()).isEqualTo("me -> bob: from my phone, after");
        String told = aliceLaptopsInbox.notices.poll(10, TimeUnit.SECONDS);
        while (told != null && !told.contains("did not write to a device of bob")) {
          told = aliceLaptopsInbox.notices.poll(10, TimeUnit.SECONDS);
        }
        assertThat(told)
            .as("the laptop is told that its other device leaves out a device it writes to")
            .isNotNull()
            .contains(PeerDevices.fingerprint(alicePhone))
            .contains(PeerDevices.fingerprint(bobPhone));
        assertThat(bobPhonesInbox.messages.poll(1, TimeUnit.SECONDS))
            .as("bob's phone is held by alice's phone: it got nothing from it")
            .isNull();

        phone.send("bob", "from my phone, again");
        assertThat(aliceLaptopsInbox.nextOwn()).isEqualTo("me -> bob: from my phone, again");
        assertThat(aliceLaptopsInbox.notices.poll(2, TimeUnit.SECONDS))
            .as("told once per run")
            .isNull();
        assertThat(aliceLaptopsInbox.blocked)
            .as("nothing new for the laptop: it writes to bob's phone already")
            .isEmpty();
      }
    }
  }
}
