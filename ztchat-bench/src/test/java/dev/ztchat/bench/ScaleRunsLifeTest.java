package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scale-out bench's costs per message are per message received (each once), not per
 * acknowledgement the nodes had applied when the counts were read: nodes that lag behind must not
 * make every message look as if it were enqueued more than once.
 */
class ScaleRunsLifeTest {
  private static ZtRelayLoad.Result received(int messages) {
    Latencies l = new Latencies(messages);
    for (int i = 0; i < messages; i++) {
      l.sent(i, 0);
      l.received(i);
    }
    return new ZtRelayLoad.Result(l, messages, 0, 0);
  }

  @Test
  void statementsPerMessage_dividesByTheMessagesReceived_evenWhileAcksLagBehind() {
    ScaleRuns.Life life =
        new ScaleRuns.Life(
            0,
            List.of(received(600), received(400)),
            new StoreCounters(250, 585), // 415 acknowledgements not applied yet
            Map.of("LOCK", 1_000L, "INSERT queue", 1_000L, "DELETE queue", 585L),
            0,
            585);

    assertThat(life.per(life.statements().get("INSERT queue"))).isEqualTo(1.0);
    assertThat(life.statementsPerMessage()).isEqualTo(2.585);
    assertThat(life.relayTransactionsPerMessage()).isEqualTo(0.25);
    assertThat(life.acksNotApplied()).isEqualTo(415);
  }

  @Test
  void acksNotApplied_isZero_whenTheNodesAppliedThemAll() {
    ScaleRuns.Life life =
        new ScaleRuns.Life(0, List.of(received(10)), new StoreCounters(3, 12), Map.of(), -1, 12);

    assertThat(life.acksNotApplied()).isZero();
    assertThat(life.statementsPerMessage()).isNaN();
  }
}
