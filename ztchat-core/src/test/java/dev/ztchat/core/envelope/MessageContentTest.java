package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageContentTest {
  @Test
  void text_encodesAsKindOneThenUtf8() throws Exception {
    byte[] encoded = MessageContent.text("hé").encode();

    assertThat(HexFormat.of().formatHex(encoded)).isEqualTo("0168c3a9");
    assertThat(MessageContent.decode(encoded)).isEqualTo(MessageContent.text("hé"));
  }

  @Test
  void emptyText_isJustTheKindByte() throws Exception {
    byte[] encoded = MessageContent.text("").encode();

    assertThat(encoded).containsExactly(1);
    assertThat(MessageContent.decode(encoded).text()).isEmpty();
  }

  @Test
  void text_ofMaximumUtf8Length_isAccepted() throws Exception {
    String max = "é".repeat(MessageContent.MAX_BODY_BYTES / 2);

    byte[] encoded = MessageContent.text(max).encode();

    assertThat(encoded).hasSize(1 + MessageContent.MAX_BODY_BYTES);
    assertThat(MessageContent.decode(encoded).text()).isEqualTo(max);
  }

  @Test
  void text_oneByteOverMaximum_isRefusedWithAdvice() {
    String tooLong = "a".repeat(MessageContent.MAX_BODY_BYTES + 1);

    assertThatThrownBy(() -> MessageContent.text(tooLong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most " + MessageContent.MAX_BODY_BYTES)
        .hasMessageContaining("split it");
  }

  @Test
  void text_withLoneSurrogate_isRefused() {
    assertThatThrownBy(() -> MessageContent.text("a\uD800b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lone surrogate");
  }

  @Test
  void decode_empty_isMalformed() {
    assertThatThrownBy(() -> MessageContent.decode(new byte[0]))
        .isInstanceOf(MalformedContentException.class)
        .hasMessageContaining("empty");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 6, 255})
  void decode_unknownKind_isMalformed(int kind) {
    assertThatThrownBy(() -> MessageContent.decode(new byte[] {(byte) kind, 'h', 'i'}))
        .isInstanceOf(MalformedContentException.class)
        .hasMessageContaining("kind " + kind);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "c080", // overlong NUL
        "e080af", // overlong '/'
        "eda080", // UTF-16 surrogate D800 encoded in UTF-8
        "f4908080", // above U+10FFFF
        "c3", // truncated sequence
        "80", // lone continuation byte
        "ff"
      })
  void decode_invalidUtf8_isMalformed(String bodyHex) {
    byte[] body = HexFormat.of().parseHex(bodyHex);
    byte[] plaintext = new byte[1 + body.length];
    plaintext[0] = 1;
    System.arraycopy(body, 0, plaintext, 1, body.length);

    assertThatThrownBy(() -> MessageContent.decode(plaintext))
        .isInstanceOf(MalformedContentException.class)
        .hasMessageContaining("not valid UTF-8");
  }

  @Test
  void decode_bodyOverMaximum_isMalformed() {
    byte[] plaintext = new byte[2 + MessageContent.MAX_BODY_BYTES];
    plaintext[0] = 1;
    Arrays.fill(plaintext, 1, plaintext.length, (byte) 'a');

    assertThatThrownBy(() -> MessageContent.decode(plaintext))
        .isInstanceOf(MalformedContentException.class);
  }

  @Test
  void toString_neverShowsTheText() {
    assertThat(MessageContent.text("attack at dawn").toString())
        .doesNotContain("attack")
        .contains("TEXT");
  }
}
