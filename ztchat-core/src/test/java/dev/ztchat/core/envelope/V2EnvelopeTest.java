package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The version-2 layout (docs/v2/envelope.md section 2): every byte, every malformation. */
class V2EnvelopeTest {
  static final byte[] ID = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
  static final RoutingPrefix PREFIX =
      new RoutingPrefix(2, "alice", List.of("bob", "carol"), 1_767_225_600_000L, ID);
  static final V2Envelope ENVELOPE =
      new V2Envelope(PREFIX, new byte[] {9, 8, 7}, new byte[] {0x30, 1, 2});

  /** The envelope written out by hand from the specification's table. */
  static byte[] byHand(
      int version, String sender, List<String> recipients, byte[] body, byte[] signature) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(version);
    str(out, sender);
    out.write(recipients.size());
    recipients.forEach(r -> str(out, r));
    out.writeBytes(ByteBuffer.allocate(8).putLong(1_767_225_600_000L).array());
    out.writeBytes(ID);
    out.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
    out.writeBytes(body);
    out.write(signature.length >>> 8);
    out.write(signature.length);
    out.writeBytes(signature);
    return out.toByteArray();
  }

  private static void str(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >>> 8);
    out.write(b.length);
    out.writeBytes(b);
  }

  @Test
  void encode_isTheLayoutOfTheSpecification_byteForByte() {
    byte[] expected =
        byHand(2, "alice", List.of("bob", "carol"), new byte[] {9, 8, 7}, new byte[] {0x30, 1, 2});

    assertThat(ENVELOPE.encode()).isEqualTo(expected);
    assertThat(HexFormat.of().formatHex(ENVELOPE.encode()))
        .isEqualTo(
            "02"
                + "0005616c696365"
                + "02"
                + "0003626f62"
                + "00056361726f6c"
                + "0000019b76daa800"
                + "00112233445566778899aabbccddeeff"
                + "00000003"
                + "090807"
                + "0003"
                + "300102");
  }

  @Test
  void decode_ofEncode_isTheSameEnvelope_andSignedBytesAreEverythingBeforeTheSignature()
      throws Exception {
    byte[] bytes = ENVELOPE.encode();

    V2Envelope back = V2Envelope.decode(bytes);

    assertThat(back).isEqualTo(ENVELOPE);
    assertThat(back.encode()).isEqualTo(bytes);
    assertThat(back.signedBytes()).isEqualTo(Arrays.copyOf(bytes, bytes.length - 2 - 3));
    byte[] prefix = V2Envelope.encodePrefix(PREFIX);
    assertThat(Arrays.copyOf(bytes, prefix.length)).isEqualTo(prefix);
  }

  @Test
  void prefix_hasTheShapeOfTheVersion1Header() {
    EnvelopeHeader v1 =
        new EnvelopeHeader(1, "alice", List.of("bob", "carol"), 1_767_225_600_000L, ID);
    byte[] v1Header = EnvelopeCodec.encodeHeader(v1);
    byte[] v2Prefix = V2Envelope.encodePrefix(PREFIX);

    assertThat(Arrays.copyOfRange(v2Prefix, 1, v2Prefix.length))
        .isEqualTo(Arrays.copyOfRange(v1Header, 1, v1Header.length));
  }

  @Test
  void decode_everyTruncation_isMalformed() {
    byte[] bytes = ENVELOPE.encode();
    for (int len = 0; len < bytes.length; len++) {
      byte[] truncated = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> V2Envelope.decode(truncated))
          .as("truncated to %d bytes", len)
          .isInstanceOf(MalformedEnvelopeException.class);
      assertThatThrownBy(() -> EnvelopeFormats.decodeRoutable(truncated))
          .as("routing, truncated to %d bytes", len)
          .isInstanceOf(MalformedEnvelopeException.class);
    }
  }

  @Test
  void decode_trailingBytes_areMalformed() {
    byte[] bytes = ENVELOPE.encode();
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);

    assertThatThrownBy(() -> V2Envelope.decode(longer))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessage("2 unexpected bytes after the signature");
  }

  @Test
  void decode_bodyLengthRunningPastTheEnd_isMalformed() {
    byte[] bytes = ENVELOPE.encode();
    int bodyLengthAt = V2Envelope.encodePrefix(PREFIX).length;
    bytes[bodyLengthAt] = 0x7f;

    assertThatThrownBy(() -> V2Envelope.decode(bytes))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("runs past the end");
  }

  @Test
  void decode_emptyBody_isMalformed() {
    byte[] bytes = byHand(2, "alice", List.of("bob"), new byte[0], new byte[] {1});

    assertThatThrownBy(() -> V2Envelope.decode(bytes))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessage("the body is empty");
  }

  @Test
  void decode_emptySignature_isMalformed() {
    byte[] bytes = byHand(2, "alice", List.of("bob"), new byte[] {1}, new byte[0]);

    assertThatThrownBy(() -> V2Envelope.decode(bytes))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessage("signature is empty");
  }

  @Test
  void decode_namesBreakingTheNameRule_areMalformed() {
    for (List<String> names :
        List.of(
            List.of("Alice", "bob"),
            List.of("alice", "-bob"),
            List.of("alice", ""),
            List.of("alice", "a".repeat(33)))) {
      byte[] bytes = byHand(2, names.get(0), List.of(names.get(1)), new byte[] {1}, new byte[] {1});
      assertThatThrownBy(() -> V2Envelope.decode(bytes))
          .as("names %s", names)
          .isInstanceOf(MalformedEnvelopeException.class);
    }
  }

  @Test
  void decode_invalidUtf8InAName_isMalformed() {
    byte[] bytes = ENVELOPE.encode();
    bytes[3] = (byte) 0xc0; // an overlong form's lead byte inside "alice"

    assertThatThrownBy(() -> V2Envelope.decode(bytes))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessage("a name in the envelope is not valid UTF-8");
  }

  @Test
  void decode_duplicateRecipients_areMalformed() {
    byte[] bytes = byHand(2, "alice", List.of("bob", "bob"), new byte[] {1}, new byte[] {1});

    assertThatThrownBy(() -> V2Envelope.decode(bytes))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessage("an envelope names a recipient twice");
  }

  @Test
  void decode_noRecipientsOrMoreThan64_areMalformed() {
    List<String> many = java.util.stream.IntStream.range(0, 65).mapToObj(i -> "u" + i).toList();
    for (List<String> recipients : List.of(List.<String>of(), many)) {
      byte[] bytes = byHand(2, "alice", recipients, new byte[] {1}, new byte[] {1});
      assertThatThrownBy(() -> V2Envelope.decode(bytes))
          .isInstanceOf(MalformedEnvelopeException.class)
          .hasMessageContaining("recipients, not " + recipients.size());
    }
  }

  @Test
  void decode_otherVersionByte_isMalformed() {
    byte[] bytes = ENVELOPE.encode();
    bytes[0] = 3;

    assertThatThrownBy(() -> V2Envelope.decode(bytes))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessage("unsupported envelope version 3");
  }

  @Test
  void construct_emptyBodyOrSignature_isRefused() {
    assertThatThrownBy(() -> new V2Envelope(PREFIX, new byte[0], new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new V2Envelope(PREFIX, new byte[] {1}, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theArraysItWasMadeOrDecodedFrom_changedAfterwards_doNotChangeIt() throws Exception {
    byte[] body = {9, 8, 7};
    byte[] signature = {0x30, 1, 2};
    V2Envelope made = new V2Envelope(PREFIX, body, signature);
    byte[] bytes = ENVELOPE.encode();
    V2Envelope decoded = V2Envelope.decode(bytes);

    Arrays.fill(body, (byte) 0x66);
    Arrays.fill(signature, (byte) 0x66);
    Arrays.fill(bytes, (byte) 0x66);
    made.body()[0] = 0x66;
    made.signature()[0] = 0x66;

    for (V2Envelope e : List.of(made, decoded)) {
      assertThat(e).isEqualTo(ENVELOPE);
      assertThat(e.body()).containsExactly(9, 8, 7);
      assertThat(e.signature()).containsExactly(0x30, 1, 2);
      assertThat(e.signatureLength()).isEqualTo(3);
    }
  }

  @Test
  void bodyView_readsTheBodyWithoutACopy_andCannotChangeIt() {
    ByteBuffer view = ENVELOPE.bodyView();

    assertThat(view.isReadOnly()).isTrue();
    assertThat(view.remaining()).isEqualTo(3);
    assertThatThrownBy(() -> view.put(0, (byte) 0x66))
        .isInstanceOf(java.nio.ReadOnlyBufferException.class);
    view.get();
    assertThat(ENVELOPE.bodyView().get()).isEqualTo((byte) 9);
    assertThat(ENVELOPE.body()).containsExactly(9, 8, 7);
  }
}
