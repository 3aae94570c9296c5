package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StrictUtf8Test {
  @Test
  void knownMalformations_areRefused() {
    for (String hex :
        new String[] {
          "80", "c0af", "e080af", "eda080", "edbfbf", "f4908080", "f8888080", "c3", "ff"
        }) {
      byte[] bytes = HexFormat.of().parseHex(hex);
      assertThat(StrictUtf8.decode(bytes, 0, bytes.length)).as(hex).isNull();
    }
  }

  @Test
  void wellFormedText_isDecoded() {
    String text = "héllo \u20ac \ud83d\ude00 ascii";
    byte[] bytes = ("xx" + text + "yy").getBytes(StandardCharsets.UTF_8);

    assertThat(StrictUtf8.decode(bytes, 2, bytes.length - 4)).isEqualTo(text);
  }

  @Test
  void randomBytes_decodeExactlyAsAReportingDecoderDoes() {
    Random random = new Random(3629);
    byte[] pool = HexFormat.of().parseHex("41617f80bfc0c1c2dfe0eded9fa0eff0f4f5ff");
    for (int i = 0; i < 200_000; i++) {
      byte[] bytes = new byte[random.nextInt(8)];
      for (int j = 0; j < bytes.length; j++) {
        bytes[j] =
            random.nextBoolean() ? pool[random.nextInt(pool.length)] : (byte) random.nextInt();
      }
      assertThat(StrictUtf8.decode(bytes, 0, bytes.length))
          .as(HexFormat.of().formatHex(bytes))
          .isEqualTo(reporting(bytes));
    }
  }

  private static String reporting(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
