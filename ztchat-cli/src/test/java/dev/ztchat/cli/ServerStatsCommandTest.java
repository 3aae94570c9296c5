package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.server.store.OfflineQueue;
import dev.ztchat.server.store.QueueLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ztchat server stats}: per-recipient queue depth and age, totals, never content. */
class ServerStatsCommandTest {
  @TempDir Path dir;

  @Test
  void stats_showPerRecipientDepthBytesAndAge_andTotals_withoutContent() throws Exception {
    Path data = dir.resolve("data");
    fillWithSecrets(QueueLimits.defaults(data));

    assertShowsDepthAndAgeWithoutContent(
        PkiCommandTest.run("server", "stats", "--data", data.toString()));
  }

  /** Three envelopes for bob and one for carol, all from alice, each holding a marker. */
  static void fillWithSecrets(QueueLimits limits) throws Exception {
    byte[] secret = "SECRET-PLAINTEXT-MARKER".getBytes(StandardCharsets.US_ASCII);
    try (OfflineQueue queue = OfflineQueue.open(limits, Clock.systemUTC())) {
      long now = System.currentTimeMillis();
      for (int i = 0; i < 3; i++) {
        queue.enqueue(List.of("bob"), "alice", "id" + i, now, secret, e -> {});
      }
      queue.enqueue(List.of("carol"), "alice", "id9", now, secret, e -> {});
    }
  }

  /** What {@link #fillWithSecrets} stored, as stats shows it: depth, bytes, age; no content. */
  static void assertShowsDepthAndAgeWithoutContent(PkiCommandTest.Run r) {
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.outLines();
    assertThat(lines.get(0)).contains("RECIPIENT").contains("MESSAGES").contains("OLDEST");
    assertThat(lines.get(1)).matches("bob +3 +69 +\\d+s");
    assertThat(lines.get(2)).matches("carol +1 +23 +\\d+s");
    assertThat(lines.get(3)).matches("total \\(2 recipients\\) +4 +92 +\\d+s");
    assertThat(r.out()).doesNotContain("SECRET").doesNotContain("alice");
  }

  @Test
  void stats_withoutAStore_saysWhereItLookedAndWhatToGive() {
    PkiCommandTest.Run r =
        PkiCommandTest.run("server", "stats", "--data", dir.resolve("nothing").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no relay store in").contains("--data DIR");
  }

  @Test
  void age_isCompact() {
    assertThat(ServerStatsCommand.age(45_000)).isEqualTo("45s");
    assertThat(ServerStatsCommand.age(3 * 86_400_000L + 2 * 3_600_000L)).isEqualTo("3d2h");
  }
}
