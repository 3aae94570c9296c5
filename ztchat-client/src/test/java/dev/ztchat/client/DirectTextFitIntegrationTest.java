package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ztchat.client.MultiDeviceIntegrationTest.DeviceInbox;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The composer's limit for a direct message in version 2 (docs/v2/envelope.md section 4.4): what an
 * envelope to every device of the peer and to my other device holds with every entry at its
 * largest, so a text of exactly the limit is delivered whatever state the sessions are in, and one
 * byte more is refused before anything is sealed, even when the sessions are in a state where it
 * would have fit.
 */
class DirectTextFitIntegrationTest {
  /** A frame limit small enough that three devices' entries take most of it. */
  static final int MAX_FRAME = 12_288;

  /**
   * docs/v2/messages.md section 8 for an empty direct text (T = 1) from alice to two devices of bob
   * and her own other device: prefix 1+2+5+1+(2+3)+(2+5)+8+16 = 45, body length 4, body without
   * entries 1+32+2+0+1+12+4+1+16 = 69, entries 2 * (1+3+32+16+2+0+2+2677) + (1+5+32+16+2+0+2+2677),
   * signature 2+72.
   */
  static final int ALICE_TO_TWO_BOB_DEVICES_AND_HER_PHONE = 45 + 4 + 69 + 2 * 2733 + 2735 + 74;

  @TempDir Path dir;
  TestPki pki;
  Credential aliceLaptop;
  Credential alicePhone;
  Credential bobLaptop;
  Credential bobPhone;
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
    aliceLaptop = device("alice", "laptop");
    alicePhone = device("alice", "phone");
    bobLaptop = device("bob", "laptop");
    bobPhone = device("bob", "phone");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    certs.writeDevice("alice", "laptop", aliceLaptop, false);
    certs.writeDevice("alice", "phone", alicePhone, false);
    certs.writeDevice("bob", "laptop", bobLaptop, false);
    certs.writeDevice("bob", "phone", bobPhone, false);
    server =
        RelayServer.start(
            RelayServerConfig.defaults(certs, dir.resolve("relay"))
                .withPort(0)
                .withMaxFrame(MAX_FRAME));
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
                dir.resolve(user + "+" + device.certificate().getSerialNumber()))
            .withDevice(device),
        inbox);
  }

  @Test
  void aTextOfExactlyTheLimit_reachesEveryDevice_andOneByteMoreIsRefusedBeforeSealing()
      throws Exception {
    assertThat(aliceLaptop.certificate().getEncoded().length)
        .as("a test device certificate is smaller than what a new session's entry saves")
        .isLessThan(1068);
    DeviceInbox laptopsInbox = new DeviceInbox();
    DeviceInbox phonesInbox = new DeviceInbox();
    DeviceInbox alicesPhone = new DeviceInbox();
    try (ChatClient alice = connect("alice", aliceLaptop, new DeviceInbox());
        ChatClient phone = connect("alice", alicePhone, alicesPhone);
        ChatClient laptop = connect("bob", bobLaptop, laptopsInbox);
        ChatClient bobsPhone = connect("bob", bobPhone, phonesInbox)) {
      MultiDeviceIntegrationTest.awaitDevices(alice, "bob", 2);
      MultiDeviceIntegrationTest.awaitDevices(alice, "alice", 2);
      alice.send("bob", "hello"); // the device sets are learnt; the sessions now established
      assertThat(laptopsInbox.next().text()).isEqualTo("hello");
      assertThat(phonesInbox.next().text()).isEqualTo("hello");
      assertThat(alicesPhone.nextOwn()).isEqualTo("me -> bob: hello");

      int max = alice.maxTextBytes("bob");

      assertThat(max)
          .isEqualTo(
              ProtocolLimits.maxEnvelopeBytes(MAX_FRAME) - ALICE_TO_TWO_BOB_DEVICES_AND_HER_PHONE);
      String longest = "é".repeat(max / 2) + "x".repeat(max % 2);
      assertThat(longest.getBytes(StandardCharsets.UTF_8)).hasSize(max);
      assertThat(alice.send("bob", longest).statusOf("bob").accepted()).isTrue();
      assertThat(laptopsInbox.next().text()).isEqualTo(longest);
      assertThat(phonesInbox.next().text()).isEqualTo(longest);
      assertThat(alicesPhone.nextOwn()).isEqualTo("me -> bob: " + longest);

      // on established sessions this envelope would fit the frame: the limit does not move
      String tooLong = "x".repeat(max + 1);
      MessageTooLongException refused =
          catchThrowableOfType(MessageTooLongException.class, () -> alice.send("bob", tooLong));
      assertThat(refused).as("send refuses one byte more").isNotNull();
      assertThat(refused.maxBytes()).isEqualTo(max);
      MessageTooLongException kept =
          catchThrowableOfType(
              MessageTooLongException.class, () -> alice.sendOrKeep("bob", tooLong));
      assertThat(kept).as("sendOrKeep refuses one byte more").isNotNull();
      assertThat(kept.maxBytes()).isEqualTo(max);
      assertThat(alice.history("bob", 10)).as("nothing sealed for them").hasSize(2);
      assertThat(alice.waiting("bob")).as("nothing kept").isEmpty();

      alice.sendOrKeep("bob", "y".repeat(max)); // kept, then sealed and sent
      assertThat(laptopsInbox.next().text()).isEqualTo("y".repeat(max));
      assertThat(phonesInbox.next().text()).isEqualTo("y".repeat(max));
      assertThat(laptopsInbox.messages.poll(1, TimeUnit.SECONDS)).as("nothing else").isNull();
      assertThat(alice.maxTextBytes("#team"))
          .as("a name that is no person's (a group's key) is sized without an error")
          .isPositive();
    }
  }
}
