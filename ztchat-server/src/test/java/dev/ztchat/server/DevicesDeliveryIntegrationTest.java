package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static dev.ztchat.server.RelayTestSupport.nothingDelivered;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery per device through a real relay (docs/v2/devices.md section 4): each device of a person
 * that connected with its device certificate gets its own copy of every envelope for the person, in
 * order, exactly once, whenever it comes online within the TTL; one device's acknowledgement never
 * removes another's copy; an envelope the sender addresses to itself goes to its other devices and
 * not back to the sending one.
 */
class DevicesDeliveryIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  Credential bobLaptop;
  Credential bobPhone;
  Credential aliceLaptop;
  Credential alicePhone;
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
    pki = TestPki.create("alice", "bob", "carol");
    bobLaptop = device("bob", "laptop");
    bobPhone = device("bob", "phone");
    aliceLaptop = device("alice", "laptop");
    alicePhone = device("alice", "phone");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    certs.writeDevice("bob", "laptop", bobLaptop, false);
    certs.writeDevice("bob", "phone", bobPhone, false);
    certs.writeDevice("alice", "laptop", aliceLaptop, false);
    certs.writeDevice("alice", "phone", alicePhone, false);
    startRelay();
  }

  void startRelay() throws Exception {
    server =
        RelayServer.start(
            RelayServerConfig.defaults(new CertsLayout(dir.resolve("certs")), dir.resolve("data"))
                .withPort(0));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  RawFrameClient connect(Credential credential) throws Exception {
    return RawFrameClient.connectWelcomed(
        "127.0.0.1", server.port(), credential, pki.ca().certificate());
  }

  /** Connects once with each device so that the relay registers it. */
  void register(Credential... devices) throws Exception {
    for (Credential d : devices) {
      try (RawFrameClient c = connect(d)) {
        assertThat(c.pingRoundTrip("r")).isNotNegative(); // attached and registered by now
      }
    }
  }

  List<String> send(RawFrameClient from, int count, String sender, String... recipients)
      throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] env = envelope(sender, recipients);
      from.send(new Frame.Send("s" + i, env));
      Frame.Sent sent = from.expect(Frame.Sent.class);
      assertThat(sent.results())
          .extracting(Frame.Delivery::status)
          .doesNotContain(DeliveryStatus.UNKNOWN);
      ids.add(idOf(env));
    }
    return ids;
  }

  /** Reads deliveries until none arrives for a moment; acknowledges each. */
  static List<String> drain(RawFrameClient c) throws Exception {
    List<String> got = new ArrayList<>();
    while (true) {
      Frame f;
      try {
        f = c.read(Duration.ofMillis(800));
      } catch (SocketTimeoutException e) {
        return got;
      }
      if (f instanceof Frame.Deliver d) {
        EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
        got.add(h.messageIdHex());
        c.send(new Frame.Ack("a" + got.size(), h.sender(), h.messageIdHex()));
      }
    }
  }

  @Test
  void bothDevicesOfBob_getEveryMessageExactlyOnceAndInOrder_theOfflineOneWhenItComesBack()
      throws Exception {
    register(bobLaptop, bobPhone);
    List<String> sent;
    List<String> laptopGot;
    try (RawFrameClient laptop = connect(bobLaptop);
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      sent = send(alice, 5, "alice", "bob");
      laptopGot = drain(laptop);
    }
    assertThat(laptopGot).containsExactlyElementsOf(sent);

    try (RawFrameClient phone = connect(bobPhone)) {
      assertThat(drain(phone)).containsExactlyElementsOf(sent); // the laptop's acks took nothing
    }
    try (RawFrameClient laptop = connect(bobLaptop);
        RawFrameClient phone = connect(bobPhone)) {
      assertThat(nothingDelivered(laptop, Duration.ofMillis(800))).isTrue();
      assertThat(nothingDelivered(phone, Duration.ofMillis(800))).isTrue();
    }
  }

  @Test
  void bothDevicesOnline_eachGetsItsOwnCopy_andAnAckOnOneLeavesTheOther() throws Exception {
    register(bobLaptop, bobPhone);
    try (RawFrameClient laptop = connect(bobLaptop);
        RawFrameClient phone = connect(bobPhone);
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      List<String> sent = send(alice, 3, "alice", "bob");

      assertThat(drain(laptop)).containsExactlyElementsOf(sent);
      assertThat(drain(phone)).containsExactlyElementsOf(sent);
    }
  }

  @Test
  void aDeviceThatNeverConnected_getsNothing_andHoldsNoCopyBack() throws Exception {
    register(bobLaptop); // the phone is certified but never connected
    try (RawFrameClient laptop = connect(bobLaptop);
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      List<String> sent = send(alice, 2, "alice", "bob");
      assertThat(drain(laptop)).containsExactlyElementsOf(sent);
    }
    try (RawFrameClient phone = connect(bobPhone)) {
      assertThat(nothingDelivered(phone, Duration.ofMillis(800))).isTrue();
    }
  }

  @Test
  void senderNamingItself_reachesItsOtherDevice_notTheSendingOne() throws Exception {
    register(aliceLaptop, alicePhone, bobLaptop);
    List<String> sent;
    try (RawFrameClient laptop = connect(aliceLaptop)) {
      sent = send(laptop, 2, "alice", "bob", "alice");
      assertThat(nothingDelivered(laptop, Duration.ofMillis(800))).isTrue();
    }
    try (RawFrameClient phone = connect(alicePhone);
        RawFrameClient bob = connect(bobLaptop)) {
      assertThat(drain(phone)).containsExactlyElementsOf(sent);
      assertThat(drain(bob)).containsExactlyElementsOf(sent);
    }
  }

  @Test
  void queuedCopies_surviveARestart_perDevice() throws Exception {
    register(bobLaptop, bobPhone);
    List<String> sent;
    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      sent = send(alice, 3, "alice", "bob");
    }
    try (RawFrameClient laptop = connect(bobLaptop)) {
      assertThat(drain(laptop)).containsExactlyElementsOf(sent);
    }
    server.close();
    startRelay();

    try (RawFrameClient laptop = connect(bobLaptop);
        RawFrameClient phone = connect(bobPhone)) {
      assertThat(drain(phone)).containsExactlyElementsOf(sent);
      assertThat(nothingDelivered(laptop, Duration.ofMillis(800))).isTrue();
    }
  }

  @Test
  void aPersonWithoutDevices_keepsTheRuleOfBefore_anyConnectionFirstAck() throws Exception {
    try (RawFrameClient carol1 = RelayTestSupport.connectWelcomed(server, pki, "carol");
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      List<String> sent = send(alice, 2, "alice", "carol");
      assertThat(drain(carol1)).containsExactlyElementsOf(sent);
    }
    try (RawFrameClient carol2 = RelayTestSupport.connectWelcomed(server, pki, "carol")) {
      assertThat(nothingDelivered(carol2, Duration.ofMillis(800))).isTrue();
    }
  }

  @Test
  void anRsaConnectionOfAPersonWithDevices_stillGetsTheirMessages() throws Exception {
    register(bobLaptop);
    try (RawFrameClient rsa = RelayTestSupport.connectWelcomed(server, pki, "bob");
        RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      List<String> sent = send(alice, 2, "alice", "bob");
      assertThat(drain(rsa)).containsExactlyElementsOf(sent);
    }
  }
}
