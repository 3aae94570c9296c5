package dev.ztchat.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;

/** Decoding JSON text in tests, and what a refused frame must look like. */
final class FrameAssertions {
  private FrameAssertions() {}

  static Frame decode(String json) throws MalformedFrameException {
    return FrameCodec.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The payload is refused as not one JSON object within limits: the relay closes on it. */
  static void assertUnparseable(String json) {
    MalformedFrameException e = refused(json);
    assertThat(e.isUnparseable()).as("unparseable: %s", e.getMessage()).isTrue();
  }

  /** The payload is a JSON object but a member is wrong: the relay answers with the ref. */
  static void assertBadMember(String json, String ref, String message) {
    MalformedFrameException e = refused(json);
    assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED);
    assertThat(e.isUnparseable()).isFalse();
    assertThat(e.ref()).isEqualTo(ref);
    assertThat(e.getMessage()).isEqualTo(message);
  }

  static MalformedFrameException refused(String json) {
    MalformedFrameException e =
        catchThrowableOfType(MalformedFrameException.class, () -> decode(json));
    assertThat(e).as("refused: %s", json).isNotNull();
    return e;
  }
}
