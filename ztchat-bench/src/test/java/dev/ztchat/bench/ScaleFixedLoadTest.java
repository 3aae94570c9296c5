package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scale-out bench's fixed-load rounds: the load offered (half the slowest full rate, or the one
 * a targeted run sets), the setups a targeted run picks, and a note that says when a setup did not
 * keep up with the load, so that its p99 is read as the queue it is.
 */
class ScaleFixedLoadTest {
  /** A round of {@code messages} received, the first sent {@code seconds} before the last came. */
  private static ZtRelayLoad.Result round(int messages, double seconds) {
    Latencies l = new Latencies(messages);
    long start = System.nanoTime() - (long) (seconds * 1e9);
    for (int i = 0; i < messages; i++) {
      l.sent(i, start);
      l.received(i);
    }
    return new ZtRelayLoad.Result(l, messages, 0, 0);
  }

  private static ScaleRuns.Life life(double offered, ZtRelayLoad.Result... rounds) {
    return new ScaleRuns.Life(
        offered, List.of(rounds), StoreCounters.ZERO, Map.of(), -1, rounds.length);
  }

  @Test
  void fixedRate_isHalfTheSlowestFullRate_unlessARunSetsOne() {
    assertThat(ScaleOutBench.fixedRate(null, 4_150)).isEqualTo(2_075);
    assertThat(ScaleOutBench.fixedRate(" ", 4_150)).isEqualTo(2_075);
    assertThat(ScaleOutBench.fixedRate("1727", 4_150)).isEqualTo(1_727);
  }

  @Test
  void fixedRate_thatIsNotAPositiveNumber_isRefusedNamingTheSetting() {
    for (String bad : List.of("0", "-5", "fast", "NaN", "Infinity")) {
      assertThatThrownBy(() -> ScaleOutBench.fixedRate(bad, 4_150))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("ztchat.bench.scale.rate");
    }
  }

  @Test
  void chosenNodes_keepTheSqliteBase_besideThatPostgresSetupOnly() {
    assertThat(ScaleOutBench.chosen(0)).isEqualTo(ScaleOutBench.SETUPS);
    assertThat(ScaleOutBench.chosen(2))
        .extracting(ScaleOutBench.Setup::label)
        .containsExactly("1 node SQLite", "2 nodes PostgreSQL");
    assertThatThrownBy(() -> ScaleOutBench.chosen(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ztchat.bench.scale.nodes");
  }

  @Test
  void fixedLoadNote_saysWhenASetupDeliveredLessThanOffered() {
    // 1,000 messages over 8 s: 125 msg/s delivered; over 20 s: 50
    String keptUp = ScaleFigures.fixedLoadNote(life(100, round(1_000, 8)), "the basis");
    String behind = ScaleFigures.fixedLoadNote(life(100, round(1_000, 8), round(1_000, 20)), "b");

    assertThat(keptUp)
        .startsWith("offered 100 msg/s to every setup (the basis)")
        // the rounds are timed on the real clock, so a rate may come out a hair under
        .containsPattern("delivered msg/s per round: (125|124\\.9\\d);")
        .doesNotContain("did not keep up");
    assertThat(behind)
        .containsPattern("delivered msg/s per round: (125|124\\.9\\d)/(50\\.00|49\\.9\\d) ")
        .contains("did not keep up");
  }
}
