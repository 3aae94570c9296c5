package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static dev.ztchat.server.RelayTestSupport.idOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices registered through one relay node are known to the others without a restart: bob's laptop
 * and phone, first seen by node 2 after both nodes started, each get their own copy of what alice
 * sends through node 1 (docs/v2/devices.md section 4), so one device's acknowledgement does not
 * take the other's message away.
 */
class CrossNodeDevicesIntegrationTest {
  /** Far longer than a notice takes, shorter than the periodic re-read (15 s). */
  private static final Duration SETTLE = Duration.ofSeconds(10);

  private static DevPostgres postgres;

  @TempDir Path dir;
  TestPki pki;
  Credential bobLaptop;
  Credential bobPhone;
  RelayNodes nodes;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = DevPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  Credential device(String device) {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        "bob",
        device,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    bobLaptop = device("laptop");
    bobPhone = device("phone");
    nodes =
        RelayNodes.start(
            pki,
            dir,
            postgres.newDatabase(),
            2,
            certs -> {
              certs.writeDevice("bob", "laptop", bobLaptop, false);
              certs.writeDevice("bob", "phone", bobPhone, false);
            });
  }

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  RawFrameClient connect(int node, Credential credential) throws Exception {
    return RawFrameClient.connectWelcomed(
        "127.0.0.1", nodes.node(node).port(), credential, pki.ca().certificate());
  }

  /** Reads deliveries until none arrives for a moment, acknowledging each; their ids. */
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

  /** Node {@code n}'s registered devices of bob, once they number {@code count} or time is up. */
  Set<String> bobsDevicesOn(int n, int count) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    Set<String> seen = nodes.node(n).registeredDevicesOf("bob");
    while (seen.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
      seen = nodes.node(n).registeredDevicesOf("bob");
    }
    return seen;
  }

  @Test
  void devicesFirstSeenByNode2_eachGetTheirOwnCopy_ofWhatAliceSendsThroughNode1() throws Exception {
    assertThat(nodes.node(1).registeredDevicesOf("bob")).isEmpty();
    for (Credential d : List.of(bobLaptop, bobPhone)) {
      try (RawFrameClient c = connect(2, d)) {
        assertThat(c.pingRoundTrip("r")).isNotNegative(); // attached and registered by now
      }
    }
    assertThat(bobsDevicesOn(1, 2)).as("learnt without a restart").hasSize(2);
    List<String> sent = new ArrayList<>();
    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(nodes.node(1), pki, "alice")) {
      for (int i = 0; i < 3; i++) {
        byte[] env = envelope("alice", "bob");
        alice.send(new Frame.Send("s" + i, env));
        alice.expect(Frame.Sent.class);
        sent.add(idOf(env));
      }
    }
    try (RawFrameClient laptop = connect(1, bobLaptop)) {
      assertThat(drain(laptop)).containsExactlyElementsOf(sent);
    }
    try (RawFrameClient phone = connect(2, bobPhone)) {
      assertThat(drain(phone)).as("the phone's own copies").containsExactlyElementsOf(sent);
    }
  }
}
