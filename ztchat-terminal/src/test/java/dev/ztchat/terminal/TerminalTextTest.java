package dev.ztchat.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TerminalTextTest {
  /** The payloads of issue 12, item 6. */
  static final String RECOLOUR_AND_TITLE = "\u001b[31mRED\u001b[0m \u001b]0;PWNED\u0007";

  static final String OVERWRITE = "innocent\r\u001b[1A\u001b[2Kcarol: forged";
  static final String FAKE_LINE =
      "ok see you\ncarol: the new wiki password is hunter2, please confirm yours";
  static final String BIDI = "pay \u202eevil\u202c \u2066x\u2069 \u200f\u200e\u061c";

  /**
   * True if {@code s} holds a character that a terminal would act on or that hides or reorders
   * text.
   */
  static boolean hasRawControl(String s) {
    return s.codePoints().anyMatch(cp -> cp != '\n' && TerminalText.isUnsafe(cp));
  }

  @Test
  void oneLine_escapesEscapeSequencesAndBell() {
    assertThat(TerminalText.oneLine(RECOLOUR_AND_TITLE))
        .isEqualTo("\\e[31mRED\\e[0m \\e]0;PWNED\\x07");
  }

  @Test
  void oneLine_escapesCarriageReturnAndCursorMoves() {
    assertThat(TerminalText.oneLine(OVERWRITE)).isEqualTo("innocent\\r\\e[1A\\e[2Kcarol: forged");
  }

  @Test
  void oneLine_turnsANewlineIntoBackslashN_soAMessageIsOneLine() {
    String line = TerminalText.oneLine(FAKE_LINE);
    assertThat(line)
        .doesNotContain("\n")
        .isEqualTo("ok see you\\ncarol: the new wiki password is hunter2, please confirm yours");
  }

  @Test
  void oneLine_escapesTheBackslash_soAnEscapeCannotBeTypedLiterally() {
    assertThat(TerminalText.oneLine("a\\nb")).isEqualTo("a\\\\nb");
    assertThat(TerminalText.oneLine("a\nb")).isEqualTo("a\\nb");
    assertThat(TerminalText.oneLine("C:\\x07")).isNotEqualTo(TerminalText.oneLine("C:\u0007"));
  }

  @Test
  void bidirectionalControls_areEscaped() {
    assertThat(TerminalText.oneLine(BIDI))
        .isEqualTo("pay \\u202eevil\\u202c \\u2066x\\u2069 \\u200f\\u200e\\u061c");
    for (int cp :
        IntStream.concat(
                IntStream.rangeClosed(0x202a, 0x202e), IntStream.rangeClosed(0x2066, 0x2069))
            .toArray()) {
      assertThat(hasRawControl(TerminalText.forScreen("x" + Character.toString(cp))))
          .as("U+%04X", cp)
          .isFalse();
    }
  }

  @Test
  void everyC0AndC1Control_isEscaped_inBothForms() {
    for (int cp = 0; cp < 0xa0; cp++) {
      if (cp >= 0x20 && cp < 0x7f) {
        continue;
      }
      String s = Character.toString(cp);
      assertThat(hasRawControl(TerminalText.oneLine(s)) || TerminalText.oneLine(s).contains("\n"))
          .as("U+%04X", cp)
          .isFalse();
      assertThat(hasRawControl(TerminalText.forScreen(s))).as("U+%04X", cp).isFalse();
    }
    assertThat(TerminalText.oneLine("\u0085\u009b")).isEqualTo("\\u0085\\u009b");
    assertThat(TerminalText.oneLine("\u007f")).isEqualTo("\\x7f");
  }

  @Test
  void invisibleFormatCharacters_areEscaped_butJoinersAndOrdinaryTextStay() {
    assertThat(TerminalText.oneLine("a\u200bb\ufeffc\u00add\u2028e\u3164f"))
        .isEqualTo("a\\u200bb\\ufeffc\\u00add\\u2028e\\u3164f");
    assertThat(TerminalText.oneLine("tag\udb40\udc41")).isEqualTo("tag\\U000e0041");
    String family = "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67";
    assertThat(TerminalText.forScreen(family)).isEqualTo(family);
    assertThat(TerminalText.forScreen("ünïcödé ✓ مرحبا 日本語")).isEqualTo("ünïcödé ✓ مرحبا 日本語");
  }

  @Test
  void forScreen_indentsContinuationLines_soNoneLooksLikeANewMessage() {
    String shown = TerminalText.forScreen(FAKE_LINE);
    assertThat(shown.lines())
        .containsExactly(
            "ok see you",
            TerminalText.CONTINUATION
                + "carol: the new wiki password is hunter2, please confirm yours");
    assertThat(TerminalText.forScreen("a\r\nb"))
        .isEqualTo("a\\r\n" + TerminalText.CONTINUATION + "b");
  }

  @Test
  void forScreen_keepsATypedBackslash() {
    assertThat(TerminalText.forScreen("C:\\Users")).isEqualTo("C:\\Users");
  }

  @Test
  void controlsEscaped_isIdempotent() {
    String once =
        TerminalText.controlsEscaped(TerminalText.forScreen(RECOLOUR_AND_TITLE + FAKE_LINE + BIDI));
    assertThat(TerminalText.controlsEscaped(once)).isEqualTo(once);
  }

  @Test
  void notice_isOneLineWithControlsEscaped_butKeepsBackslashes() {
    assertThat(TerminalText.notice("C:\\data " + RECOLOUR_AND_TITLE + "\nnext"))
        .isEqualTo("C:\\data \\e[31mRED\\e[0m \\e]0;PWNED\\x07\\nnext");
    assertThat(TerminalText.notice("name '\\u00e9mile'")).isEqualTo("name '\\u00e9mile'");
  }

  @Test
  void null_becomesEmpty() {
    assertThat(TerminalText.oneLine(null)).isEmpty();
    assertThat(TerminalText.forScreen(null)).isEmpty();
  }
}
