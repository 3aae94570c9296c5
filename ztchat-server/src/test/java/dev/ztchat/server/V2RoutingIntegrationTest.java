package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.random;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.core.transport.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Version-2 envelopes through a real relay (docs/v2/envelope.md sections 3 to 5): routed by their
 * prefix alone (the body here is random bytes: the relay cannot tell), stored while the recipient
 * is offline, delivered, acknowledged, spoofs dropped, and carried in binary frames only to clients
 * that asked for them.
 */
class V2RoutingIntegrationTest {
  @TempDir Path dir;
  final MutableClock clock = MutableClock.followingSystem();
  TestPki pki;
  RelayServerConfig config;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    config = relayConfig(pki, dir);
    server = RelayServer.start(config, TlsSettings.provider(), clock);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  RawFrameClient connect(String user) throws Exception {
    return RelayTestSupport.connectWelcomed(server, pki, user);
  }

  /** A well-formed v2 envelope: prefix, a random body, a random "signature". */
  byte[] v2(String sender, Instant sealedAt, int bodyBytes, String... recipients) {
    RoutingPrefix prefix =
        new RoutingPrefix(2, sender, List.of(recipients), sealedAt.toEpochMilli(), random(16));
    return new V2Envelope(prefix, random(bodyBytes), random(72)).encode();
  }

  byte[] v2(String sender, String... recipients) {
    return v2(sender, clock.instant(), 200, recipients);
  }

  static String idOf(byte[] v2) throws Exception {
    return V2Envelope.decode(v2).prefix().messageIdHex();
  }

  /** Asks for binary frames and waits for the relay's {@code ok}. */
  static void askForBinary(RawFrameClient c) throws Exception {
    c.send(new Frame.Features("f1", true));
    assertThat(c.expect(Frame.Ok.class).ref()).isEqualTo("f1");
  }

  @Test
  void welcome_announcesVersions1And2() throws Exception {
    try (RawFrameClient alice = connect("alice")) {
      assertThat(alice.welcome().versions()).containsExactly(1, 2);
    }
  }

  @Test
  void v2ForAnOfflineRecipient_isStored_deliveredOnConnect_andGoneOnceAcknowledged()
      throws Exception {
    byte[] env = v2("alice", "bob");
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Send("s1", env, true));
      assertThat(alice.expect(Frame.Sent.class).results())
          .containsExactly(new Frame.Delivery("bob", DeliveryStatus.QUEUED));
    }
    server.close(); // it was stored durably: it survives a restart of the relay
    server = RelayServer.start(config, TlsSettings.provider(), clock);
    try (RawFrameClient bob = connect("bob")) {
      Frame.Deliver d = bob.expect(Frame.Deliver.class);
      assertThat(d.envelope()).isEqualTo(env);
      bob.send(new Frame.Ack("a1", "alice", idOf(env)));
      assertThat(bob.expect(Frame.Ok.class).ref()).isEqualTo("a1");
    }
    try (RawFrameClient bob = connect("bob")) {
      assertThat(RelayTestSupport.nothingDelivered(bob, Duration.ofMillis(700))).isTrue();
    }
  }

  @Test
  void v2ToALiveRecipientThatAskedForBinary_arrivesInABinaryDeliver() throws Exception {
    byte[] env = v2("alice", "bob");
    try (RawFrameClient bob = connect("bob");
        RawFrameClient alice = connect("alice")) {
      askForBinary(bob);
      alice.send(new Frame.Send("s1", env, true));
      alice.expect(Frame.Sent.class);

      Frame.Deliver d = bob.expect(Frame.Deliver.class);

      assertThat(d.binary()).isTrue();
      assertThat(d.envelope()).isEqualTo(env);
    }
  }

  @Test
  void aClientThatNeverAskedForBinary_getsEveryEnvelopeInJson_v1AndV2() throws Exception {
    byte[] v2 = v2("alice", "bob");
    byte[] v1 = RelayTestSupport.envelope("alice", "bob");
    try (RawFrameClient bob = connect("bob");
        RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Send("s1", v2, true));
      alice.expect(Frame.Sent.class);
      alice.send(new Frame.Send("s2", v1));
      alice.expect(Frame.Sent.class);

      Frame.Deliver first = bob.expect(Frame.Deliver.class);
      Frame.Deliver second = bob.expect(Frame.Deliver.class);

      assertThat(List.of(first.binary(), second.binary())).containsExactly(false, false);
      assertThat(first.envelope()).isEqualTo(v2);
      assertThat(second.envelope()).isEqualTo(v1);
    }
  }

  @Test
  void v1Envelopes_stayJson_evenForAClientThatAskedForBinary() throws Exception {
    byte[] v1 = RelayTestSupport.envelope("alice", "bob");
    try (RawFrameClient bob = connect("bob");
        RawFrameClient alice = connect("alice")) {
      askForBinary(bob);
      alice.send(new Frame.Send("s1", v1));
      alice.expect(Frame.Sent.class);

      Frame.Deliver d = bob.expect(Frame.Deliver.class);

      assertThat(d.binary()).isFalse();
      assertThat(d.envelope()).isEqualTo(v1);
    }
  }

  @Test
  void v2InAJsonSend_isRoutedToo() throws Exception {
    byte[] env = v2("alice", "carol");
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Send("s1", env));
      assertThat(alice.expect(Frame.Sent.class).results())
          .containsExactly(new Frame.Delivery("carol", DeliveryStatus.QUEUED));
    }
  }

  @Test
  void spoofedV2_isDroppedSilently_withASecurityEvent() throws Exception {
    long before = server.securityLog().count(SecurityEvent.SPOOFING);
    List<String> lines = new ArrayList<>();
    server.securityLog().addListener(e -> lines.add(e.line()));
    try (RawFrameClient alice = connect("alice");
        RawFrameClient carol = connect("carol")) {
      alice.send(new Frame.Send("spoof", v2("bob", "carol"), true));

      assertThat(alice.silentFor(Duration.ofMillis(700))).as("attacker gets no answer").isTrue();
      assertThat(RelayTestSupport.nothingDelivered(carol, Duration.ofMillis(300))).isTrue();
      assertThat(server.securityLog().count(SecurityEvent.SPOOFING)).isEqualTo(before + 1);
      assertThat(lines)
          .anySatisfy(l -> assertThat(l).contains("event=SPOOFING").contains("claimed=bob"));
      alice.send(new Frame.Ping("still-here"));
      assertThat(alice.expect(Frame.Pong.class).ref()).isEqualTo("still-here");
    }
  }

  @Test
  void expiredV2_isRefusedAndNotStored() throws Exception {
    Instant old = clock.instant().minus(AcceptancePolicy.DEFAULT_WINDOW).minusSeconds(60);
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Send("s1", v2("alice", old, 10, "bob"), true));
      Frame.Error e = alice.expect(Frame.Error.class);
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_ENVELOPE);
      assertThat(e.message()).startsWith("envelope expired");
    }
  }

  @Test
  void malformedV2_isABadEnvelope_saysWhich_andTheConnectionStays() throws Exception {
    byte[] good = v2("alice", "bob");
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    byte[] version3 = good.clone();
    version3[0] = 3;
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Send("t", trailing, true));
      assertThat(((Frame.Error) alice.answerTo("t", Duration.ofSeconds(5))).message())
          .isEqualTo("envelope rejected: 1 unexpected bytes after the signature");
      alice.send(new Frame.Send("v3", version3, true));
      Frame.Error e = (Frame.Error) alice.answerTo("v3", Duration.ofSeconds(5));
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_ENVELOPE);
      assertThat(e.message())
          .isEqualTo("envelope rejected: unsupported envelope version 3 (known versions: 1, 2)");
      alice.send(new Frame.Ping("p"));
      assertThat(alice.expect(Frame.Pong.class).ref()).isEqualTo("p");
    }
  }

  @Test
  void envelopeTooLargeForAJsonDeliver_isRefused_justBelowIsAccepted() throws Exception {
    int max = ProtocolLimits.maxEnvelopeBytes(config.maxFrame());
    int fixed = v2("alice", clock.instant(), 1, "bob").length - 1; // all but the body
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Send("fits", v2("alice", clock.instant(), max - fixed, "bob"), true));
      assertThat(alice.answerTo("fits", Duration.ofSeconds(5))).isInstanceOf(Frame.Sent.class);
      alice.send(new Frame.Send("big", v2("alice", clock.instant(), max - fixed + 1, "bob"), true));
      Frame.Error e = (Frame.Error) alice.answerTo("big", Duration.ofSeconds(5));
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_ENVELOPE);
      assertThat(e.message()).contains("this relay can deliver to every client");
    }
  }

  @Test
  void unknownBinaryType_getsAnError_butATruncatedBinaryHeaderClosesTheConnection()
      throws Exception {
    try (RawFrameClient alice = connect("alice")) {
      alice.sendFrame(HexFormat.of().parseHex("ff0902723102"));
      Frame.Error e = (Frame.Error) alice.answerTo("r1", Duration.ofSeconds(5));
      assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
      alice.send(new Frame.Ping("p"));
      assertThat(alice.expect(Frame.Pong.class).ref()).isEqualTo("p");

      alice.sendFrame(HexFormat.of().parseHex("ff01"));
      assertThat(alice.closedWithin(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void aBinaryDeliverFromAClient_isNotAccepted() throws Exception {
    try (RawFrameClient alice = connect("alice")) {
      alice.send(new Frame.Deliver(v2("alice", "bob"), true));
      Frame.Error e = alice.expect(Frame.Error.class);
      assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
    }
  }
}
