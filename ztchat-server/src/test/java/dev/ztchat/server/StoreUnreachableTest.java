package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class StoreUnreachableTest {
  private static final Instant SINCE = Instant.parse("2026-12-03T03:20:00Z");

  @Test
  void reason_withLineBreaksAndControlCharacters_isKeptToOnePrintableLine() {
    StoreUnreachable u =
        new StoreUnreachable(
            SINCE, "Connection refused.\nFAIL crl: forged\r\u001b[2Jcleared\u00e9");

    assertThat(u.reason()).isEqualTo("Connection refused. FAIL crl: forged  [2Jcleared");
    assertThat(u.reason()).doesNotContainPattern("[^\\x20-\\x7e]");
  }

  @Test
  void reason_overLong_isCut() {
    StoreUnreachable u = new StoreUnreachable(SINCE, "x".repeat(10_000));

    assertThat(u.reason()).hasSize(303).endsWith("...");
  }

  @Test
  void reason_missing_saysSo() {
    assertThat(new StoreUnreachable(SINCE, null).reason()).isEqualTo("no reason given");
  }
}
