package dev.ztchat.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChatTerminalTest {
  @Test
  void quote_shortText_isQuotedWhole_onOneLine() {
    assertThat(ChatTerminal.quote("see you\nat noon")).isEqualTo("see you at noon");
  }

  @Test
  void quote_longText_keepsTheFirstFiveWords_andMarksTheCut() {
    assertThat(ChatTerminal.quote("lunch at noon on friday with the whole team?"))
        .isEqualTo("lunch at noon on friday...");
  }

  @Test
  void quote_oneLongWord_isCutAt40Characters_neverInsideASurrogatePair() {
    assertThat(ChatTerminal.quote("x".repeat(100))).isEqualTo("x".repeat(40) + "...");
    String emoji = "\uD83D\uDE00";
    assertThat(ChatTerminal.quote("x".repeat(39) + emoji + "tail"))
        .isEqualTo("x".repeat(39) + "...");
  }
}
