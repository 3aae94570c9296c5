package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.server.store.PostgresUrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Figure 7: scale-out. The relay load of {@link RelayBench} (pairs of a sender and a receiver that
 * acknowledges each 256-byte envelope, everything stored before "sent" and deleted on the ack;
 * version-2 envelopes in binary frames over device certificates, {@link Wire#v2}, as the relay
 * bench's target rows) against 1, 2 and 3 relay nodes, each a process of its own, on one PostgreSQL
 * started by {@code scripts/dev-postgres.sh}, beside 1 node on SQLite, in the same run; the senders
 * and receivers spread over the nodes so that with more than one node every message crosses nodes.
 * For each setup: throughput at full rate with zero loss checked, p99 latency at one fixed offered
 * load (half the slowest setup's full rate, the same for all), both as ratios to 1 node on SQLite,
 * and what each message costs the store: the relay's own store transactions, and on PostgreSQL the
 * statements and transactions the database counted (pg_stat_statements, pg_stat_database).
 *
 * <p>Every setup starts afresh for each of its two passes (full rate, then fixed load) on a new
 * database, and first runs a short warm-up load so that compilation is not measured. Without
 * PostgreSQL, or with peers disabled (the bench starts no server but the relay then), the SQLite
 * rows still run and the others say why they were skipped. A full-rate run sends 20,000 envelopes
 * (300 in quick mode); {@code -Dztchat.bench.scale.count=N} (through {@code ZTCHAT_JAVA_OPTS}) sets
 * another count. For a targeted run, {@code -Dztchat.bench.scale.nodes=2} runs only the PostgreSQL
 * setup with that many nodes beside the SQLite one (the ratios' base), and {@code
 * -Dztchat.bench.scale.rate=R} offers R messages/s in the fixed-load rounds instead of half the
 * slowest full rate (a full run sets neither).
 */
final class ScaleOutBench implements Benchmark {
  /** Where the fixed load comes from in a full run. */
  private static final String HALF_THE_SLOWEST = "half the slowest full rate";

  /** One way to run the relay. */
  record Setup(String label, int nodes, boolean postgres) {}

  static final List<Setup> SETUPS =
      List.of(
          new Setup("1 node SQLite", 1, false),
          new Setup("1 node PostgreSQL", 1, true),
          new Setup("2 nodes PostgreSQL", 2, true),
          new Setup("3 nodes PostgreSQL", 3, true));

  @Override
  public String name() {
    return "scale";
  }

  @Override
  public String description() {
    return "messages/s and p99 with 1, 2 and 3 relay nodes on one PostgreSQL vs 1 node on SQLite,"
        + " and store round trips per message";
  }

  @Override
  public List<Figure> run(BenchOptions o, BenchPki pki) throws Exception {
    int pairCount = o.pick(100, 6);
    int total = Integer.getInteger("ztchat.bench.scale.count", o.pick(20_000, 300));
    int perPair = Math.max(1, total / pairCount);
    List<UserIdentity[]> pairs = new ArrayList<>();
    for (int i = 0; i < pairCount; i++) {
      pairs.add(new UserIdentity[] {pki.user("alice" + i), pki.user("bob" + i)});
    }
    Wire wire = Wire.v2(pki);
    ScaleRuns runs = new ScaleRuns(o, pki, pairs, wire);
    Map<Setup, ScaleRuns.Life> full = new LinkedHashMap<>();
    Map<Setup, ScaleRuns.Life> fixed = new LinkedHashMap<>();
    String skipped = "";
    String basis = HALF_THE_SLOWEST;
    BenchPostgres pg = null;
    try {
      if (!o.peers()) {
        skipped = "peers disabled: PostgreSQL not started, peer skipped";
      } else {
        try {
          pg = BenchPostgres.start(pki);
        } catch (BenchPostgres.SkippedException e) {
          skipped = "PostgreSQL could not be started (" + e.getMessage() + "), peer skipped";
        }
      }
      if (pg == null) {
        o.say("scale: %s", skipped);
      }
      for (Setup s : chosen(Integer.getInteger("ztchat.bench.scale.nodes", 0))) {
        if (!s.postgres() || pg != null) {
          o.say(
              "scale %s: full rate, %,d envelopes, %d pairs",
              s.label(), perPair * pairCount, pairCount);
          full.put(s, runs.life(s, pg, perPair, 0, 1));
        }
      }
      double slowest =
          full.values().stream()
              .mapToDouble(l -> l.runs().getFirst().latencies().throughput())
              .min()
              .orElseThrow();
      String given = System.getProperty("ztchat.bench.scale.rate");
      double rate = fixedRate(given, slowest);
      basis = given == null || given.isBlank() ? HALF_THE_SLOWEST : "set for this run";
      int rounds = o.pick(3, 1);
      Duration length = o.pick(Duration.ofSeconds(8), Duration.ofSeconds(1));
      int pacedPerPair =
          (int) Math.max(1, Math.round(rate * length.toMillis() / 1000.0) / pairCount);
      for (Setup s : full.keySet()) {
        o.say(
            "scale %s: fixed load %,.0f msg/s (%.0f%% of the slowest full rate), %d round(s)",
            s.label(), rate, 100 * rate / slowest, rounds);
        fixed.put(s, runs.life(s, pg, pacedPerPair, rate, rounds));
      }
    } finally {
      if (pg != null) {
        pg.close();
      }
    }
    return ScaleFigures.of(full, fixed, skipped, pairCount, basis, wire.label());
  }

  /**
   * Every setup for 0, else the SQLite one (the base of every ratio) and the PostgreSQL one with
   * {@code nodes} nodes.
   */
  static List<Setup> chosen(int nodes) {
    if (nodes == 0) {
      return SETUPS;
    }
    List<Setup> one = SETUPS.stream().filter(s -> !s.postgres() || s.nodes() == nodes).toList();
    if (one.size() != 2) {
      throw new IllegalArgumentException(
          "ztchat.bench.scale.nodes must be 1, 2 or 3 (or 0 for every setup), not " + nodes);
    }
    return one;
  }

  /**
   * The fixed offered load: {@code given} messages/s when set, else {@link RelayBench#LOAD_SHARE}
   * of the slowest setup's full rate.
   */
  static double fixedRate(String given, double slowestFullRate) {
    if (given == null || given.isBlank()) {
      return RelayBench.LOAD_SHARE * slowestFullRate;
    }
    double r;
    try {
      r = Double.parseDouble(given.strip());
    } catch (NumberFormatException e) {
      r = Double.NaN;
    }
    if (!(r > 0) || Double.isInfinite(r)) {
      throw new IllegalArgumentException(
          "ztchat.bench.scale.rate must be a positive number of messages/s, not " + given);
    }
    return r;
  }

  /** The database name in a {@code --store} URL. */
  static String database(String storeUrl) {
    return PostgresUrl.parse(storeUrl).database();
  }
}
