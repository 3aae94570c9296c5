package dev.ztchat.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The scale-out bench's rows: per setup, throughput (its note naming the envelopes' {@link Wire}
 * format) and p99 at the fixed load as ratios to 1 node on SQLite, and the store's work per message
 * received (counted once the nodes applied every acknowledgement); a setup that could not run (no
 * PostgreSQL) keeps its rows, with no value and the reason.
 */
final class ScaleFigures {
  private static final String BENCH = "scale";
  private static final String BASE = "1 node on SQLite";

  /**
   * The share of the offered load a fixed-load round must deliver to count as keeping up (a paced
   * round that keeps up delivers nearly all of it: the rate is measured to the last arrival).
   */
  static final double KEPT_UP = 0.9;

  private ScaleFigures() {}

  static List<Figure> of(
      Map<ScaleOutBench.Setup, ScaleRuns.Life> full,
      Map<ScaleOutBench.Setup, ScaleRuns.Life> fixed,
      String skipped,
      int pairs,
      String fixedBasis,
      String format) {
    ScaleOutBench.Setup base = ScaleOutBench.SETUPS.getFirst();
    ScaleRuns.Life baseFull = full.get(base);
    ScaleRuns.Life baseFixed = fixed.get(base);
    List<Figure> out = new ArrayList<>();
    for (ScaleOutBench.Setup s : ScaleOutBench.SETUPS) {
      ScaleRuns.Life f = full.get(s);
      ScaleRuns.Life p = fixed.get(s);
      String label = s.label() + ", " + pairs + " pairs";
      out.add(
          new Figure(
              BENCH,
              label + " messages/s",
              f == null ? Double.NaN : throughput(f),
              BASE,
              throughput(baseFull),
              true,
              Double.NaN,
              f == null ? skipped : losses(f) + "; " + placement(s) + "; " + format));
      out.add(
          new Figure(
              BENCH,
              label + " p99 latency µs at fixed load",
              p == null ? Double.NaN : p99(p),
              BASE,
              p99(baseFixed),
              false,
              Double.NaN,
              p == null ? skipped : fixedLoadNote(p, fixedBasis)));
      out.add(
          new Figure(
              BENCH,
              label + " store transactions per 1,000 messages",
              f == null ? Double.NaN : 1000 * f.relayTransactionsPerMessage(),
              BASE,
              1000 * baseFull.relayTransactionsPerMessage(),
              false,
              Double.NaN,
              f == null
                  ? skipped
                  : "the nodes' own count (ztchat_store_transaction_seconds_count, summed) per"
                      + " 1,000 messages received at full rate; at fixed load "
                      + Figure.num(1000 * p.relayTransactionsPerMessage())));
      if (s.postgres()) {
        out.add(
            Figure.info(
                BENCH,
                label + " PostgreSQL statements per message",
                f == null ? Double.NaN : f.statementsPerMessage(),
                f == null ? skipped : databaseNote(f, p)));
      }
    }
    return out;
  }

  private static double throughput(ScaleRuns.Life life) {
    return life.runs().getFirst().latencies().throughput();
  }

  private static double p99(ScaleRuns.Life life) {
    return RelayBench.median(life.runs().stream().map(ZtRelayLoad.Result::latencies).toList(), 99);
  }

  private static String losses(ScaleRuns.Life life) {
    return String.format(
        Locale.ROOT,
        "lost %,d of %,d, shown twice %,d",
        life.lost(),
        life.sent(),
        life.duplicates());
  }

  private static String placement(ScaleOutBench.Setup s) {
    return s.nodes() == 1
        ? "senders and receivers on the one node"
        : "every message crosses nodes (pair i: sender on node i mod "
            + s.nodes()
            + ", receiver on the next)";
  }

  /**
   * The fixed-load row's note: the load and where it came from, each round's p99 and delivered
   * rate. A setup whose full rate is well above the load may still not keep up with it (across
   * nodes a message costs the store threads several times more at a steady load than in the batches
   * of a full-rate run: bench/ANALYSIS.md section 6); its rounds then deliver less than offered and
   * their p99 is the queue that builds, which the note says.
   */
  static String fixedLoadNote(ScaleRuns.Life life, String basis) {
    List<ZtRelayLoad.Result> runs = life.runs();
    boolean behind =
        runs.stream().anyMatch(r -> r.latencies().throughput() < KEPT_UP * life.offered());
    return String.format(
            Locale.ROOT,
            "offered %,.0f msg/s to every setup (%s), median of %d round(s); p99 per round µs: ",
            life.offered(),
            basis,
            runs.size())
        + runs.stream()
            .map(r -> Figure.num(r.latencies().percentileMicros(99)))
            .collect(Collectors.joining("/"))
        + "; delivered msg/s per round: "
        + runs.stream()
            .map(r -> Figure.num(r.latencies().throughput()))
            .collect(Collectors.joining("/"))
        + (behind
            ? " (below the offered load: this setup did not keep up, the p99 is its queue)"
            : "")
        + "; "
        + losses(life);
  }

  /** Says how many deletes the counts miss, when the nodes had not applied every ack in time. */
  private static String unapplied(ScaleRuns.Life life) {
    return life.acksNotApplied() == 0
        ? ""
        : String.format(
            Locale.ROOT,
            " (%,d acknowledgements not yet applied when counted: their deletes are missing)",
            life.acksNotApplied());
  }

  private static String databaseNote(ScaleRuns.Life full, ScaleRuns.Life fixed) {
    String kinds =
        full.statements().entrySet().stream()
            .filter(e -> e.getValue() > 0)
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .map(e -> e.getKey() + " " + Figure.num(full.per(e.getValue())))
            .collect(Collectors.joining(", "));
    return (full.statements().isEmpty()
            ? "pg_stat_statements not loaded"
            : "pg_stat_statements per message received at full rate, once the nodes applied"
                + " its acknowledgement: "
                + kinds
                + unapplied(full))
        + "; statements at fixed load "
        + Figure.num(fixed.statementsPerMessage())
        + "; database transactions (pg_stat_database xact_commit+xact_rollback, over the nodes'"
        + " life: start, warm-up, runs) per message "
        + Figure.num(full.transactionsPerMessage())
        + " at full rate, "
        + Figure.num(fixed.transactionsPerMessage())
        + " at fixed load";
  }
}
