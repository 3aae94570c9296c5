package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.server.RelayServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay and store benches' load client against a real relay over mTLS: with {@link Wire#v2} it
 * writes binary {@code send} frames of version-2 envelopes naming the recipient's device, the relay
 * routes every one and pushes every one to its recipient in a binary {@code deliver}; with {@link
 * Wire#v1} it stays on JSON frames. No rate is judged.
 */
class ZtRelayLoadIntegrationTest {
  private static final int PER_PAIR = 50;

  static BenchPki pki;
  static List<UserIdentity[]> pairs;

  @BeforeAll
  static void create() throws Exception {
    pki = BenchPki.create(2048);
    pairs =
        List.of(
            new UserIdentity[] {pki.user("alice0"), pki.user("bob0")},
            new UserIdentity[] {pki.user("alice1"), pki.user("bob1")});
  }

  @AfterAll
  static void delete() {
    pki.close();
  }

  private static byte[] payloadOf(byte[] framed) {
    return Arrays.copyOfRange(framed, 4, framed.length);
  }

  @Test
  void v2Send_isABinaryFrameOfAVersion2Envelope_namingTheRecipientsDevice() throws Exception {
    Wire wire = Wire.v2(pki);
    UserIdentity alice = pairs.get(0)[0];
    UserIdentity bob = pairs.get(0)[1];

    byte[] payload = payloadOf(wire.sendFrame(wire.envelopes(alice, bob).apply(7), bob));

    assertThat(payload[0] & 0xff).as("binary frame marker").isEqualTo(0xff);
    Frame.Send send = (Frame.Send) FrameCodec.decode(payload);
    assertThat(send.binary()).isTrue();
    assertThat(send.envelope()[0]).isEqualTo((byte) V2Envelope.VERSION);
    assertThat(V2Envelope.decode(send.envelope()).prefix().recipients()).containsExactly("bob0");
    assertThat(send.devices())
        .containsExactly(
            "bob0:" + HexFormat.of().formatHex(Certificates.sha256(wire.tls(bob).certificate())));
    assertThat(wire.tls(bob).certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void v2Load_everyEnvelopeIsAcceptedAndArrivesInABinaryDeliver() throws Exception {
    ZtRelayLoad.Result r = load(Wire.v2(pki));

    // every envelope arrived, and every send was counted as accepted (the run waits for the last
    // "sent", which may come after the last arrival)
    int total = pairs.size() * PER_PAIR;
    assertThat(r.latencies().receivedCount()).isEqualTo(total);
    assertThat(r.accepted()).isEqualTo(total);
    assertThat(r.binaryDeliveries()).isEqualTo(total);
  }

  @Test
  void v1Load_staysOnJsonFrames() throws Exception {
    Wire wire = Wire.v1();
    UserIdentity alice = pairs.get(0)[0];
    UserIdentity bob = pairs.get(0)[1];
    ZtRelayLoad.Result r = load(wire);

    assertThat(payloadOf(wire.sendFrame(wire.envelopes(alice, bob).apply(0), bob))[0])
        .isEqualTo((byte) '{');
    // every envelope arrived, and every send was counted as accepted (the run waits for the last
    // "sent", which may come after the last arrival)
    int total = pairs.size() * PER_PAIR;
    assertThat(r.latencies().receivedCount()).isEqualTo(total);
    assertThat(r.accepted()).isEqualTo(total);
    assertThat(r.binaryDeliveries()).isZero();
  }

  /** Every pair's envelopes through a real relay in {@code wire}'s format, unpaced. */
  private ZtRelayLoad.Result load(Wire wire) throws Exception {
    try (RelayServer relay = InProcessRelay.start(pki)) {
      return ZtRelayLoad.run(
          relay.port(),
          pki.caCertificate(),
          wire,
          pairs,
          PER_PAIR,
          OfferedLoad.unpaced(),
          Duration.ofSeconds(30));
    }
  }
}
