package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One life of a scale-out setup: its nodes started afresh (on a new PostgreSQL database, or SQLite
 * in a new folder), a short warm-up load, the measured runs, then the counts of store work over the
 * whole life: the nodes' own (read just before they stop) and the database's (read after they
 * stopped, when every session has published its counts).
 */
final class ScaleRuns {
  private final BenchOptions o;
  private final BenchPki pki;
  private final List<UserIdentity[]> pairs;
  private final Wire wire;

  /**
   * What one life measured: the runs after the warm-up, and the store work they caused.
   *
   * @param offered the offered load of the runs in messages/s, 0 at full rate
   * @param runs the measured runs, in order
   * @param relay the nodes' own counters over the measured runs, summed over the nodes
   * @param statements the database's statements over the measured runs by kind (pg_stat_statements,
   *     which counts as each statement ends), empty when not counted
   * @param transactions the database's transactions over the whole life, start and warm-up included
   *     (pg_stat_database, which a session publishes in full only when it ends), -1 on SQLite
   * @param lifeDelivered envelopes delivered over the whole life, warm-up included
   */
  record Life(
      double offered,
      List<ZtRelayLoad.Result> runs,
      StoreCounters relay,
      Map<String, Long> statements,
      long transactions,
      long lifeDelivered) {
    /** Store transactions the nodes counted per message received. */
    double relayTransactionsPerMessage() {
      return per(relay.transactions());
    }

    /** Database statements per message received, NaN when not counted. */
    double statementsPerMessage() {
      return statements.isEmpty()
          ? Double.NaN
          : per(statements.values().stream().mapToLong(Long::longValue).sum());
    }

    /**
     * {@code count} per message received in the measured runs: the clients' count, each message
     * once. Not the nodes' count of applied acknowledgements, which may still lag behind (see
     * {@link AcksApplied}) and would then make every other count look larger per message.
     */
    double per(long count) {
      long received = received();
      return received == 0 ? Double.NaN : (double) count / received;
    }

    /** Envelopes the receivers got over the measured runs, each once. */
    long received() {
      return runs.stream().mapToLong(r -> r.latencies().receivedCount()).sum();
    }

    /**
     * Acknowledgements of the measured runs the nodes had not applied when the counts were read (0
     * when they had applied them all).
     */
    long acksNotApplied() {
      return Math.max(0, received() - relay.delivered());
    }

    /** Database transactions per delivered message over the life, NaN on SQLite. */
    double transactionsPerMessage() {
      return transactions < 0 || lifeDelivered == 0
          ? Double.NaN
          : (double) transactions / lifeDelivered;
    }

    /** Envelopes lost over the measured runs (never received). */
    int lost() {
      return runs.stream().mapToInt(r -> r.latencies().lost()).sum();
    }

    /** Envelopes received more than once over the measured runs. */
    int duplicates() {
      return runs.stream().mapToInt(r -> r.latencies().duplicates()).sum();
    }

    /** Envelopes sent over the measured runs. */
    int sent() {
      return runs.stream().mapToInt(r -> r.latencies().expected()).sum();
    }
  }

  /** Runs of {@code pairs} in {@code wire}'s format. */
  ScaleRuns(BenchOptions o, BenchPki pki, List<UserIdentity[]> pairs, Wire wire) {
    this.o = o;
    this.pki = pki;
    this.pairs = pairs;
    this.wire = wire;
  }

  /**
   * Runs {@code setup}: {@code rounds} runs of {@code perPair} envelopes per pair, at full rate
   * when {@code rate} is 0, else paced at {@code rate} messages/s in all.
   */
  Life life(ScaleOutBench.Setup setup, BenchPostgres pg, int perPair, double rate, int rounds)
      throws Exception {
    String store = setup.postgres() ? pg.newDatabase() : "";
    String db = setup.postgres() ? ScaleOutBench.database(store) : "";
    long xact0 = setup.postgres() ? pg.transactions(db) : 0;
    Duration deadline = o.pick(Duration.ofSeconds(180), Duration.ofSeconds(30));
    List<ZtRelayLoad.Result> runs = new ArrayList<>();
    StoreCounters before;
    StoreCounters after;
    Map<String, Long> statements = new TreeMap<>();
    try (RelayCluster nodes = RelayCluster.start(pki, setup.nodes(), store)) {
      ZtRelayLoad.Result warmUp =
          load(
              nodes,
              Math.max(1, o.pick(2_000, 10) / pairs.size()),
              OfferedLoad.unpaced(),
              deadline);
      // the warm-up's last acknowledgements must not be counted as the runs' work
      AcksApplied.await(() -> nodes.counters().delivered(), warmUp.latencies().receivedCount());
      before = nodes.counters();
      Map<String, Long> st0 = setup.postgres() ? pg.statements(db) : Map.of();
      for (int r = 0; r < rounds; r++) {
        OfferedLoad load = rate > 0 ? OfferedLoad.paced(rate, pairs.size()) : OfferedLoad.unpaced();
        ZtRelayLoad.Result result = load(nodes, perPair, load, deadline);
        say(setup, load, result);
        runs.add(result);
      }
      after = settled(nodes, before, runs);
      if (setup.postgres()) {
        pg.statements(db).forEach((k, v) -> statements.put(k, v - st0.getOrDefault(k, 0L)));
      }
    }
    long xact = setup.postgres() ? pg.settledTransactions(db) - xact0 : -1;
    return new Life(rate, runs, after.minus(before), statements, xact, after.delivered());
  }

  /** The nodes' counters once they have applied the acknowledgements of what the runs received. */
  private static StoreCounters settled(
      RelayCluster nodes, StoreCounters before, List<ZtRelayLoad.Result> runs)
      throws IOException, InterruptedException {
    long received = runs.stream().mapToLong(r -> r.latencies().receivedCount()).sum();
    AcksApplied.await(() -> nodes.counters().delivered() - before.delivered(), received);
    return nodes.counters();
  }

  private ZtRelayLoad.Result load(
      RelayCluster nodes, int perPair, OfferedLoad load, Duration deadline) throws Exception {
    return ZtRelayLoad.acrossNodes(
        nodes::senderPort,
        nodes::receiverPort,
        pki.caCertificate(),
        wire,
        pairs,
        perPair,
        load,
        deadline);
  }

  private void say(ScaleOutBench.Setup setup, OfferedLoad load, ZtRelayLoad.Result r) {
    Latencies l = r.latencies();
    o.say(
        "  %s%s: %,d of %,d accepted, %,d received (%,d twice), %,.0f msg/s, p50 %,.0f µs,"
            + " p99 %,.0f µs",
        setup.label(),
        load.isPaced() ? String.format(Locale.ROOT, " at %,.0f msg/s", load.rate()) : "",
        r.accepted(),
        l.expected(),
        l.receivedCount(),
        l.duplicates(),
        l.throughput(),
        l.percentileMicros(50),
        l.percentileMicros(99));
  }
}
