package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.session.InitialMessageHeader;
import dev.ztchat.core.session.PrekeyKind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The body's encoding and every decoding rule of docs/v2/messages.md section 3.2. */
class V2BodyTest {
  private static final RoutingPrefix PREFIX =
      new RoutingPrefix(2, "alice", List.of("bob", "carol"), 1_767_225_600_000L, new byte[16]);
  private static final byte[] SENDER = filled(32, 0x11);
  private static final byte[] BOB_DEVICE = filled(32, 0x22);
  private static final byte[] SESSION = filled(16, 0x33);
  private static final byte[] CERT = filled(600, 0x44);
  private static final InitialMessageHeader INIT =
      new InitialMessageHeader(
          filled(32, 5), 1, PrekeyKind.ONE_TIME_ML_KEM_768, 2, filled(1088, 6), filled(70, 7));

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static V2Body.Entry entry(String name, Optional<InitialMessageHeader> init) {
    return new V2Body.Entry(name, BOB_DEVICE, SESSION, init, filled(149, 8));
  }

  private static V2Body body(byte[] cert, V2Body.Entry... entries) {
    return new V2Body(SENDER, cert, List.of(entries), filled(12, 9), filled(17, 10));
  }

  @Test
  void encode_isTheLayoutOfSection3_andDecodesToTheSameBody() throws Exception {
    V2Body body = body(CERT, entry("bob", Optional.of(INIT)), entry("carol", Optional.empty()));
    byte[] encoded = body.encode();

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(1);
    expected.writeBytes(SENDER);
    expected.writeBytes(new byte[] {0x02, 0x58});
    expected.writeBytes(CERT);
    expected.write(2);
    for (String name : List.of("bob", "carol")) {
      byte[] init = name.equals("bob") ? INIT.encode() : new byte[0];
      expected.write(name.length());
      expected.writeBytes(name.getBytes(StandardCharsets.UTF_8));
      expected.writeBytes(BOB_DEVICE);
      expected.writeBytes(SESSION);
      expected.writeBytes(ByteBuffer.allocate(2).putShort((short) init.length).array());
      expected.writeBytes(init);
      expected.writeBytes(new byte[] {0, (byte) 149});
      expected.writeBytes(filled(149, 8));
    }
    expected.writeBytes(filled(12, 9));
    expected.writeBytes(new byte[] {0, 0, 0, 17});
    expected.writeBytes(filled(17, 10));

    assertThat(encoded).isEqualTo(expected.toByteArray());
    assertThat(V2Body.decode(encoded, PREFIX)).isEqualTo(body);
    assertThat(V2Body.decode(encoded, PREFIX).entryFor("bob", BOB_DEVICE)).isPresent();
  }

  @Test
  void everyTruncation_isMalformed() {
    byte[] encoded = body(CERT, entry("bob", Optional.of(INIT))).encode();
    for (int n = 0; n < encoded.length; n++) {
      byte[] cut = Arrays.copyOf(encoded, n);
      assertThatThrownBy(() -> V2Body.decode(cut, PREFIX))
          .as("%d bytes", n)
          .isInstanceOf(MalformedEnvelopeException.class);
    }
  }

  @Test
  void trailingByte_isMalformed() {
    byte[] encoded = body(new byte[0], entry("bob", Optional.empty())).encode();

    assertMalformed(Arrays.copyOf(encoded, encoded.length + 1), "unexpected bytes");
  }

  @Test
  void unknownFormat_isMalformed() {
    byte[] encoded = body(new byte[0], entry("bob", Optional.empty())).encode();
    encoded[0] = 2;

    assertMalformed(encoded, "body format 2");
  }

  @Test
  void certificateOver2048Bytes_isMalformed() {
    byte[] encoded = body(new byte[0], entry("bob", Optional.empty())).encode();
    encoded[33] = 0x08;
    encoded[34] = 0x01;

    assertMalformed(encoded, "longer than 2048");
  }

  @Test
  void noEntries_isMalformed() {
    byte[] encoded = body(new byte[0], entry("bob", Optional.empty())).encode();
    encoded[35] = 0;

    assertMalformed(encoded, "not 0");
  }

  private static List<V2Body.Entry> entriesForDevices(int n) {
    List<V2Body.Entry> entries = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] device = filled(32, 0x22);
      device[0] = (byte) i;
      device[1] = (byte) (i >>> 8);
      entries.add(new V2Body.Entry("bob", device, SESSION, Optional.empty(), filled(149, 8)));
    }
    return entries;
  }

  @Test
  void bodyWith255Entries_decodes() throws Exception {
    V2Body body =
        new V2Body(SENDER, new byte[0], entriesForDevices(255), filled(12, 9), filled(17, 10));

    byte[] encoded = body.encode();

    assertThat(encoded[35] & 0xff).isEqualTo(255);
    assertThat(V2Body.decode(encoded, PREFIX)).isEqualTo(body);
    assertThat(V2Body.decode(encoded, PREFIX).entries()).hasSize(255);
  }

  @Test
  void bodyWith256Entries_isRefusedByTheEncoder() {
    List<V2Body.Entry> entries = entriesForDevices(256);

    assertThatThrownBy(
            () -> new V2Body(SENDER, new byte[0], entries, filled(12, 9), filled(17, 10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 255 entries");
  }

  @Test
  void entryNamingSomeoneOutsideThePrefix_isMalformed() {
    byte[] encoded = body(new byte[0], entry("dave", Optional.empty())).encode();

    assertMalformed(encoded, "names someone the prefix does not");
  }

  @Test
  void twoEntriesForOneDevice_isMalformed() {
    byte[] one = body(new byte[0], entry("bob", Optional.empty())).encode();
    // Splice a copy of the entry in and count two.
    int entryStart = 36;
    int entryLength = 1 + 3 + 32 + 16 + 2 + 2 + 149;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(one, 0, 35);
    out.write(2);
    out.write(one, entryStart, entryLength);
    out.write(one, entryStart, one.length - entryStart);

    assertMalformed(out.toByteArray(), "two entries for one recipient device");
  }

  @Test
  void malformedInitialHeader_isMalformed() {
    byte[] encoded = body(CERT, entry("bob", Optional.of(INIT))).encode();
    encoded[36 + CERT.length + 1 + 3 + 32 + 16 + 2] = 3; // the header's version byte

    assertMalformed(encoded, "initial-message header is malformed");
  }

  @Test
  void initialEntryWithoutCertificate_isMalformed() {
    byte[] encoded = body(CERT, entry("bob", Optional.of(INIT))).encode();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(encoded, 0, 33);
    out.write(0);
    out.write(0);
    out.write(encoded, 35 + CERT.length, encoded.length - 35 - CERT.length);

    assertMalformed(out.toByteArray(), "needs the sender's certificate");
  }

  @Test
  void emptyRatchetMessage_isMalformed() {
    byte[] encoded = body(new byte[0], entry("bob", Optional.empty())).encode();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int msgLengthAt = 36 + 1 + 3 + 32 + 16 + 2;
    out.write(encoded, 0, msgLengthAt);
    out.write(0);
    out.write(0);
    out.write(encoded, msgLengthAt + 2 + 149, encoded.length - msgLengthAt - 2 - 149);

    assertMalformed(out.toByteArray(), "ratchet message is empty");
  }

  @Test
  void ciphertextShorterThanItsTag_isMalformed() {
    byte[] encoded = body(new byte[0], entry("bob", Optional.empty())).encode();
    byte[] cut = Arrays.copyOf(encoded, encoded.length - 2);
    cut[cut.length - 16] = 15; // ct_len's low byte: 15, and 15 bytes follow

    assertMalformed(cut, "shorter than its tag");
  }

  private static void assertMalformed(byte[] encoded, String message) {
    assertThatThrownBy(() -> V2Body.decode(encoded, PREFIX))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining(message);
  }

  @Test
  void decodedFromAView_isTheSameBody_andTheBytesChangedAfterwards_doNotChangeIt()
      throws Exception {
    V2Body body = body(CERT, entry("bob", Optional.of(INIT)));
    byte[] encoded = body.encode();
    ByteBuffer view = ByteBuffer.wrap(encoded).asReadOnlyBuffer();

    V2Body decoded = V2Body.decode(view, PREFIX);
    Arrays.fill(encoded, (byte) 0x66);

    assertThat(view.position()).isZero();
    assertThat(decoded).isEqualTo(body);
    assertThat(decoded.senderDevice()).isEqualTo(SENDER);
    assertThat(decoded.certificate()).hasValueSatisfying(c -> assertThat(c).isEqualTo(CERT));
    assertThat(decoded.nonce()).isEqualTo(filled(12, 9));
    assertThat(decoded.ciphertext()).isEqualTo(filled(17, 10));
  }

  @Test
  void theArraysItWasMadeFrom_orGaveOut_changedAfterwards_doNotChangeIt() {
    byte[] sender = SENDER.clone();
    byte[] nonce = filled(12, 9);
    byte[] ciphertext = filled(17, 10);
    V2Body body =
        new V2Body(
            sender, CERT.clone(), List.of(entry("bob", Optional.empty())), nonce, ciphertext);
    byte[] before = body.encode();

    Arrays.fill(sender, (byte) 0x66);
    Arrays.fill(nonce, (byte) 0x66);
    Arrays.fill(ciphertext, (byte) 0x66);
    body.senderDevice()[0] = 0x66;
    body.nonce()[0] = 0x66;
    body.ciphertext()[0] = 0x66;
    body.certificate().orElseThrow()[0] = 0x66;

    assertThat(body.encode()).isEqualTo(before);
  }
}
