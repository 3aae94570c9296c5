package dev.ztchat.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Binary {@code send} and {@code deliver} (docs/v2/envelope.md section 4), the {@code versions} of
 * {@code welcome} and the {@code features} frame (section 5): known bytes, and every refusal with
 * its code and whether the relay closes on it.
 */
class FrameCodecBinaryTest {
  private static final byte[] ENVELOPE = {2, 0, 5, 'a', 'l'};

  private static MalformedFrameException refused(byte[] payload) {
    MalformedFrameException e =
        catchThrowableOfType(MalformedFrameException.class, () -> FrameCodec.decode(payload));
    assertThat(e).as("refused: %s", HexFormat.of().formatHex(payload)).isNotNull();
    return e;
  }

  @Test
  void binarySend_isMarkerTypeRefThenTheEnvelopeBytes() throws Exception {
    Frame send = new Frame.Send("r1", ENVELOPE, true);

    byte[] payload = FrameCodec.encode(send);

    assertThat(HexFormat.of().formatHex(payload)).isEqualTo("ff01" + "02" + "7231" + "020005616c");
    assertThat(FrameCodec.decode(payload)).isEqualTo(send);
  }

  @Test
  void sendWithDevices_roundTripsInBinaryAndJson_andBadEntriesAreMalformed() throws Exception {
    List<String> devices = List.of("bob:" + "a".repeat(64), "alice:" + "b".repeat(64));
    Frame binary = new Frame.Send("r1", ENVELOPE, true, devices);
    byte[] payload = FrameCodec.encode(binary);
    assertThat(payload[1]).as("type 3: send with devices").isEqualTo((byte) 3);
    assertThat(FrameCodec.decode(payload)).isEqualTo(binary);
    Frame json = new Frame.Send("r2", ENVELOPE, false, devices);
    assertThat(new String(FrameCodec.encode(json), StandardCharsets.UTF_8))
        .contains("\"devices\":[\"bob:");
    assertThat(FrameCodec.decode(FrameCodec.encode(json))).isEqualTo(json);
    assertThat(
            ((Frame.Send) FrameCodec.decode(FrameCodec.encode(new Frame.Send("r3", ENVELOPE))))
                .devices())
        .as("absent: no check")
        .isNull();

    byte[] bad = Arrays.copyOf(payload, payload.length);
    bad[3 + 2 + 2] = 'B'; // a name with a capital letter
    assertThat(refused(bad).code()).isEqualTo(ErrorCode.MALFORMED);
    byte[] truncated = {(byte) 0xff, 3, 0, 0, 9, 'b'};
    assertThat(refused(truncated).getMessage()).contains("runs past the end");
    String shortDeviceId =
        "{\"type\":\"send\",\"ref\":\"r\",\"envelope\":\"AQ==\",\"devices\":[\"bob:12\"]}";
    assertThat(refused(shortDeviceId.getBytes(StandardCharsets.UTF_8)).code())
        .isEqualTo(ErrorCode.MALFORMED);
  }

  @Test
  void binarySendWithoutRef_andBinaryDeliver_roundTrip() throws Exception {
    Frame send = new Frame.Send(null, ENVELOPE, true);
    Frame deliver = new Frame.Deliver(ENVELOPE, true);

    assertThat(HexFormat.of().formatHex(FrameCodec.encode(send)))
        .isEqualTo("ff0100" + "020005616c");
    assertThat(HexFormat.of().formatHex(FrameCodec.encode(deliver)))
        .isEqualTo("ff0200" + "020005616c");
    assertThat(FrameCodec.decode(FrameCodec.encode(send))).isEqualTo(send);
    assertThat(FrameCodec.decode(FrameCodec.encode(deliver))).isEqualTo(deliver);
  }

  @Test
  void jsonSendAndDeliver_stayJson_andDecodeAsNotBinary() throws Exception {
    byte[] json = FrameCodec.encode(new Frame.Deliver(ENVELOPE));

    assertThat(new String(json, StandardCharsets.UTF_8)).startsWith("{\"type\":\"deliver\"");
    assertThat(((Frame.Deliver) FrameCodec.decode(json)).binary()).isFalse();
    assertThat(FrameCodec.decode(json)).isNotEqualTo(new Frame.Deliver(ENVELOPE, true));
  }

  @Test
  void truncatedHeader_isUnparseable_soTheRelayCloses() {
    for (byte[] payload :
        List.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xff, 1}, hex("ff0105723132"))) {
      MalformedFrameException e = refused(payload);
      assertThat(e.isUnparseable()).as(e.getMessage()).isTrue();
      assertThat(e.getMessage()).startsWith("not a binary frame: ");
    }
  }

  @Test
  void everyTruncationOfABinarySend_isRefused() {
    byte[] payload = FrameCodec.encode(new Frame.Send("r1", ENVELOPE, true));
    // Up to the end of the ref the frame's own header is cut; after it, the envelope is cut
    // (which the envelope's decoder refuses: binary frames carry no length of their own).
    for (int len = 1; len <= 5; len++) {
      MalformedFrameException e = refused(Arrays.copyOf(payload, len));
      assertThat(e.code()).as("cut to %d", len).isEqualTo(ErrorCode.MALFORMED);
    }
  }

  @Test
  void unknownBinaryType_isUnknownType_withTheRef_connectionKept() {
    MalformedFrameException e = refused(hex("ff0702723102"));

    assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
    assertThat(e.ref()).isEqualTo("r1");
    assertThat(e.isUnparseable()).isFalse();
    assertThat(e.getMessage()).isEqualTo("unknown binary frame type 7");
  }

  @Test
  void badRef_isMalformed_withoutRef_connectionKept() {
    for (String ref : List.of("r 1", "r\u00e9", "r/1")) {
      byte[] r = ref.getBytes(StandardCharsets.UTF_8);
      byte[] payload = new byte[3 + r.length + 1];
      payload[0] = (byte) 0xff;
      payload[1] = 1;
      payload[2] = (byte) r.length;
      System.arraycopy(r, 0, payload, 3, r.length);
      payload[payload.length - 1] = 2;

      MalformedFrameException e = refused(payload);
      assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED);
      assertThat(e.isUnparseable()).isFalse();
      assertThat(e.ref()).isNull();
    }
    byte[] tooLong = new byte[3 + 65 + 1];
    tooLong[0] = (byte) 0xff;
    tooLong[1] = 1;
    tooLong[2] = 65;
    Arrays.fill(tooLong, 3, 68, (byte) 'a');
    assertThat(refused(tooLong).getMessage()).contains("'ref' must be 1 to 64 characters");
  }

  @Test
  void missingEnvelope_isMalformed_withTheRef() {
    MalformedFrameException e = refused(hex("ff01027231"));

    assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED);
    assertThat(e.ref()).isEqualTo("r1");
    assertThat(e.getMessage()).isEqualTo("the binary frame carries no envelope");
  }

  @Test
  void deliverWithRef_isMalformed() {
    MalformedFrameException e = refused(hex("ff02027231" + "02"));

    assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED);
    assertThat(e.getMessage()).isEqualTo("a binary deliver carries no 'ref'");
  }

  @Test
  void noJsonPayloadStartsWithTheMarker_andJsonRulesAreUnchanged() {
    // A payload starting with any other byte than 0xFF is still read as JSON, strictly.
    FrameAssertions.assertUnparseable("\u0000{\"type\":\"ping\"}");
    MalformedFrameException e = refused(hex("fe0100"));
    assertThat(e.isUnparseable()).isTrue();
    assertThat(e.getMessage()).startsWith("not a JSON object");
  }

  @Test
  void welcome_announcesVersions_andReadsBack() throws Exception {
    Frame.Welcome w = new Frame.Welcome(1, "alice", 4096, 60, 604800, List.of(1, 2));

    String json = new String(FrameCodec.encode(w), StandardCharsets.UTF_8);

    assertThat(json)
        .isEqualTo(
            "{\"type\":\"welcome\",\"protocol\":1,\"identity\":\"alice\",\"maxFrame\":4096,"
                + "\"idleTimeoutSeconds\":60,\"queueTtlSeconds\":604800,\"versions\":[1,2]}");
    Frame.Welcome back = (Frame.Welcome) FrameCodec.decode(FrameCodec.encode(w));
    assertThat(back).isEqualTo(w);
    assertThat(back.routes(2)).isTrue();
  }

  @Test
  void welcome_withoutVersions_meansVersion1Only() throws Exception {
    Frame.Welcome w =
        (Frame.Welcome)
            FrameAssertions.decode(
                "{\"type\":\"welcome\",\"protocol\":1,\"identity\":\"a\",\"maxFrame\":4096,"
                    + "\"idleTimeoutSeconds\":60}");

    assertThat(w.versions()).isEmpty();
    assertThat(w.routes(1)).isTrue();
    assertThat(w.routes(2)).isFalse();
  }

  @Test
  void welcome_versionsNotIntegers_isABadMember() {
    FrameAssertions.assertBadMember(
        "{\"type\":\"welcome\",\"protocol\":1,\"identity\":\"a\",\"maxFrame\":4096,"
            + "\"idleTimeoutSeconds\":60,\"versions\":[\"2\"]}",
        null,
        "member 'versions' must be an array of integers");
  }

  @Test
  void features_roundTrips_andABooleanOfTheWrongTypeIsABadMember() throws Exception {
    Frame f = new Frame.Features("r9", true);

    assertThat(new String(FrameCodec.encode(f), StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"features\",\"ref\":\"r9\",\"binaryFrames\":true}");
    assertThat(FrameCodec.decode(FrameCodec.encode(f))).isEqualTo(f);
    FrameAssertions.assertBadMember(
        "{\"type\":\"features\",\"ref\":\"r9\",\"binaryFrames\":1}",
        "r9",
        "member 'binaryFrames' must be true or false");
  }

  @Test
  void featuresWithAWindow_roundTrips_andAWindowThatIsNotAnIntegerIsABadMember() throws Exception {
    Frame f = new Frame.Features("r9", true, 512);

    assertThat(new String(FrameCodec.encode(f), StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"features\",\"ref\":\"r9\",\"binaryFrames\":true,\"window\":512}");
    assertThat(FrameCodec.decode(FrameCodec.encode(f))).isEqualTo(f);
    assertThat(
            FrameCodec.decode(
                "{\"type\":\"features\",\"binaryFrames\":true}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new Frame.Features(null, true, 0));
    FrameAssertions.assertBadMember(
        "{\"type\":\"features\",\"ref\":\"r9\",\"window\":\"512\"}",
        "r9",
        "member 'window' must be an integer between -2^31 and 2^31-1");
  }

  @Test
  void maxEnvelopeBytes_isTheLargestWhoseJsonDeliverFitsTheClientsLimit() {
    for (int maxFrame : List.of(2048, 4096, 4097, 4098, 4099, 65536)) {
      int max = ProtocolLimits.maxEnvelopeBytes(maxFrame);
      int limit = maxFrame + ProtocolLimits.DELIVER_OVERHEAD;
      assertThat(FrameCodec.encode(new Frame.Deliver(new byte[max])).length)
          .as("maxFrame %d", maxFrame)
          .isLessThanOrEqualTo(limit);
      assertThat(FrameCodec.encode(new Frame.Deliver(new byte[max + 3])).length)
          .isGreaterThan(limit);
      // An envelope that fit in a JSON send always fits: version 1 never meets the bound.
      int jsonSendMax = (maxFrame - "{\"type\":\"send\",\"envelope\":\"\"}".length()) / 4 * 3;
      assertThat(jsonSendMax).isLessThanOrEqualTo(max);
    }
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }
}
