package dev.ztchat.core.envelope;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Strict UTF-8 decoding (a malformed sequence, an overlong form or an encoded surrogate is an
 * error, never a replacement character) on the JDK's fast paths: the bytes are decoded with
 * replacement and encoded again, and are strict UTF-8 exactly when that gives them back. At the
 * first malformed position the decoder substitutes U+FFFD, whose encoding EF BF BD is well-formed
 * and so cannot be what stood there. A reporting {@code CharsetDecoder} per name and per text was a
 * measurable share of opening a message.
 */
final class StrictUtf8 {
  private StrictUtf8() {}

  /**
   * The text of {@code length} bytes of {@code bytes} from {@code offset}, or null if malformed.
   */
  static String decode(byte[] bytes, int offset, int length) {
    String text = new String(bytes, offset, length, StandardCharsets.UTF_8);
    byte[] again = text.getBytes(StandardCharsets.UTF_8);
    return Arrays.equals(again, 0, again.length, bytes, offset, offset + length) ? text : null;
  }
}
