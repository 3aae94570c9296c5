package dev.ztchat.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  @Test
  void utf8Ping_decodes() throws Exception {
    assertThat(
            FrameCodec.decode("{\"type\":\"ping\",\"ref\":\"a\"}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new Frame.Ping("a"));
  }

  @Test
  void utf16WithByteOrderMark_isMalformedAndUnparseable() {
    // Found by the malformed attack: the JSON parser used to detect UTF-16 and answer this ping.
    byte[] utf16 = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_16);
    assertThatThrownBy(() -> FrameCodec.decode(utf16))
        .isInstanceOfSatisfying(
            MalformedFrameException.class, e -> assertThat(e.isUnparseable()).isTrue());
  }

  @Test
  void utf16LittleEndianWithoutMark_isMalformed() {
    byte[] utf16le = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_16LE);
    assertThatThrownBy(() -> FrameCodec.decode(utf16le))
        .isInstanceOf(MalformedFrameException.class);
  }

  @Test
  void utf32_isMalformed() {
    byte[] utf32 = "{\"type\":\"ping\"}".getBytes(Charset.forName("UTF-32"));
    assertThatThrownBy(() -> FrameCodec.decode(utf32)).isInstanceOf(MalformedFrameException.class);
  }

  @Test
  void overlongUtf8_isMalformed() {
    byte[] overlong = {
      '{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}'
    };
    assertThatThrownBy(() -> FrameCodec.decode(overlong))
        .isInstanceOf(MalformedFrameException.class);
  }

  @Test
  void encodedSurrogate_isMalformed() {
    byte[] surrogate = {
      '{', '"', 'x', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'
    };
    assertThatThrownBy(() -> FrameCodec.decode(surrogate))
        .isInstanceOf(MalformedFrameException.class);
  }
}
