package dev.ztchat.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmallFramesTest {
  private static final String ID = "0123456789abcdef0123456789abcdef";

  @Test
  void everySmallFrame_isWrittenByteForByteAsTheGeneratorWritesIt() throws IOException {
    List<Frame> frames =
        List.of(
            new Frame.Ok(null),
            new Frame.Ok("r-1.x_Y"),
            new Frame.Pong(null),
            new Frame.Pong("p7"),
            new Frame.Ack(null, "alice", ID),
            new Frame.Ack("a1", "bob.b_c-d", ID),
            new Frame.Sent(null, ID, List.of()),
            new Frame.Sent(
                "s9",
                ID,
                List.of(
                    new Frame.Delivery("bob", DeliveryStatus.DELIVERED),
                    new Frame.Delivery("carol", DeliveryStatus.QUEUED),
                    new Frame.Delivery("dave", DeliveryStatus.UNKNOWN),
                    new Frame.Delivery("erin", DeliveryStatus.FULL))),
            new Frame.Acks(null, List.of()),
            new Frame.Acks(
                "k1",
                List.of(
                    new Frame.AckedEnvelope("alice", ID),
                    new Frame.AckedEnvelope("bob", ID + "ff"))));
    for (Frame frame : frames) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(SmallFrames.write(frame, out)).as(frame.toString()).isTrue();
      assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8))
          .as(frame.toString())
          .isEqualTo(new String(generated(frame), StandardCharsets.UTF_8));
      assertThat(FrameCodec.encode(frame)).isEqualTo(generated(frame));
    }
  }

  @Test
  void stringsTheGeneratorEscapesOrThatAreNotAscii_areLeftToTheGenerator() throws IOException {
    List<Frame> frames =
        List.of(
            new Frame.Ok("quote\"d"),
            new Frame.Pong("back\\slash"),
            new Frame.Ack(null, "new\nline", ID),
            new Frame.Ack(null, "alice", "tab\there"),
            new Frame.Sent(null, ID, List.of(new Frame.Delivery("zoë", DeliveryStatus.QUEUED))),
            new Frame.Sent(null, "\u007f", List.of()),
            new Frame.Acks(null, List.of(new Frame.AckedEnvelope("a\u0000", ID))));
    for (Frame frame : frames) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(SmallFrames.write(frame, out)).as(frame.toString()).isFalse();
      assertThat(out.size()).isZero();
      assertThat(FrameCodec.encode(frame)).isEqualTo(generated(frame));
    }
  }

  @Test
  void otherFrames_areLeftToTheGenerator() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(SmallFrames.write(new Frame.Ping("p"), out)).isFalse();
    assertThat(SmallFrames.write(new Frame.Features(null, true), out)).isFalse();
    assertThat(out.size()).isZero();
  }

  private static byte[] generated(Frame frame) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = FrameJson.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      FrameWriter.write(frame, g);
    }
    return out.toByteArray();
  }
}
