package dev.ztchat.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known answers for the bytes of every frame type (docs/PROTOCOL.md section 4): {@code type} first,
 * then {@code ref}, then the members in the order of the tables, compact, UTF-8, envelopes as
 * standard base64 with padding. These are the bytes the tree-model encoder produced.
 */
class FrameCodecWireFormatTest {
  static Stream<Arguments> frames() {
    return Stream.of(
        Arguments.of(
            new Frame.Welcome(1, "alice", 4096, 60),
            "{\"type\":\"welcome\",\"protocol\":1,\"identity\":\"alice\",\"maxFrame\":4096,"
                + "\"idleTimeoutSeconds\":60}"),
        Arguments.of(
            new Frame.Welcome(1, "alice", 4096, 60, 604800),
            "{\"type\":\"welcome\",\"protocol\":1,\"identity\":\"alice\",\"maxFrame\":4096,"
                + "\"idleTimeoutSeconds\":60,\"queueTtlSeconds\":604800}"),
        Arguments.of(
            new Frame.Sent(
                "r1",
                "00ff",
                List.of(
                    new Frame.Delivery("bob", DeliveryStatus.DELIVERED),
                    new Frame.Delivery("carol", DeliveryStatus.QUEUED))),
            "{\"type\":\"sent\",\"ref\":\"r1\",\"messageId\":\"00ff\",\"results\":["
                + "{\"user\":\"bob\",\"status\":\"delivered\"},"
                + "{\"user\":\"carol\",\"status\":\"queued\"}]}"),
        Arguments.of(
            new Frame.Deliver(new byte[] {1, 2, 3, 4}),
            "{\"type\":\"deliver\",\"envelope\":\"AQIDBA==\"}"),
        Arguments.of(
            new Frame.Certificates("r2", "bob", "S", "E"),
            "{\"type\":\"certificates\",\"ref\":\"r2\",\"user\":\"bob\",\"signing\":\"S\","
                + "\"encryption\":\"E\"}"),
        Arguments.of(
            new Frame.Certificates("r2", "bob", "S", "E", List.of("S1", "S0")),
            "{\"type\":\"certificates\",\"ref\":\"r2\",\"user\":\"bob\",\"signing\":\"S\","
                + "\"encryption\":\"E\",\"earlierSigning\":[\"S1\",\"S0\"]}"),
        Arguments.of(
            new Frame.Online("r3", List.of("alice", "bob")),
            "{\"type\":\"online\",\"ref\":\"r3\",\"users\":[\"alice\",\"bob\"]}"),
        Arguments.of(
            new Frame.Revocations("r4", "C"),
            "{\"type\":\"revocations\",\"ref\":\"r4\",\"crl\":\"C\"}"),
        Arguments.of(new Frame.CrlRequest("r5"), "{\"type\":\"crl\",\"ref\":\"r5\"}"),
        Arguments.of(new Frame.Ok("r6"), "{\"type\":\"ok\",\"ref\":\"r6\"}"),
        Arguments.of(new Frame.Pong(null), "{\"type\":\"pong\"}"),
        Arguments.of(
            new Frame.Error("r7", ErrorCode.UNKNOWN_USER, "no such user"),
            "{\"type\":\"error\",\"ref\":\"r7\",\"code\":\"unknown_user\",\"message\":\"no such"
                + " user\"}"),
        Arguments.of(
            new Frame.Send("r8", new byte[] {(byte) 0xfb, (byte) 0xff}),
            "{\"type\":\"send\",\"ref\":\"r8\",\"envelope\":\"+/8=\"}"),
        Arguments.of(
            new Frame.DirectoryRequest("r9", "bob"),
            "{\"type\":\"directory\",\"ref\":\"r9\",\"user\":\"bob\"}"),
        Arguments.of(new Frame.Who(null), "{\"type\":\"who\"}"),
        Arguments.of(
            new Frame.Publish("r10", "P"),
            "{\"type\":\"publish\",\"ref\":\"r10\",\"encryption\":\"P\"}"),
        Arguments.of(
            new Frame.Ack("r11", "alice", "0123456789abcdef0123456789abcdef"),
            "{\"type\":\"ack\",\"ref\":\"r11\",\"sender\":\"alice\","
                + "\"messageId\":\"0123456789abcdef0123456789abcdef\"}"),
        Arguments.of(
            new Frame.Acks(
                "r13",
                List.of(
                    new Frame.AckedEnvelope("alice", "0123456789abcdef0123456789abcdef"),
                    new Frame.AckedEnvelope("carol", "fedcba9876543210fedcba9876543210"))),
            "{\"type\":\"acks\",\"ref\":\"r13\",\"envelopes\":["
                + "{\"sender\":\"alice\",\"messageId\":\"0123456789abcdef0123456789abcdef\"},"
                + "{\"sender\":\"carol\",\"messageId\":\"fedcba9876543210fedcba9876543210\"}]}"),
        Arguments.of(
            new Frame.Welcome(1, "alice", 4096, 60, 604800, List.of(1, 2), 64),
            "{\"type\":\"welcome\",\"protocol\":1,\"identity\":\"alice\",\"maxFrame\":4096,"
                + "\"idleTimeoutSeconds\":60,\"queueTtlSeconds\":604800,\"versions\":[1,2],"
                + "\"maxAcks\":64}"),
        Arguments.of(new Frame.Ping("r12"), "{\"type\":\"ping\",\"ref\":\"r12\"}"),
        Arguments.of(
            new Frame.Error(
                null, ErrorCode.MALFORMED, "caf\u00e9 \ud83d\ude00 \"q\" \\ \n \u0001 \u2028 </"),
            "{\"type\":\"error\",\"code\":\"malformed\",\"message\":"
                + "\"caf\u00e9 \\uD83D\\uDE00 \\\"q\\\" \\\\ \\n \\u0001 \u2028 </\"}"));
  }

  @ParameterizedTest
  @MethodSource("frames")
  void encode_eachFrame_isTheSpecifiedJson(Frame frame, String json) {
    assertThat(new String(FrameCodec.encode(frame), StandardCharsets.UTF_8)).isEqualTo(json);
  }

  @ParameterizedTest
  @MethodSource("frames")
  void decode_ofEncode_isTheSameFrame(Frame frame, String json) throws Exception {
    assertThat(FrameCodec.decode(FrameCodec.encode(frame))).isEqualTo(frame);
  }

  @ParameterizedTest
  @MethodSource("frames")
  void encodeToStream_writesTheSameBytesAsEncode(Frame frame, String json) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameCodec.encode(frame, out);
    assertThat(out.toByteArray()).isEqualTo(FrameCodec.encode(frame));
  }
}
