package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.server.RelayServer;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Figure 2: relay throughput and one-way latency of pre-sealed 256-byte envelopes over mTLS, 1→1
 * and 100 pairs at once, against Mosquitto at QoS 0 and QoS 1 driven by the same client code with
 * the same payload bytes. ztchat keeps its guarantee throughout: durable store before "sent",
 * receiver acks.
 *
 * <p>First each side runs at its full rate (throughput; the latencies of that run are queueing
 * delays at overload). Then all three run at the same fixed offered load, half of Mosquitto QoS 0's
 * full rate (half of ztchat's own when Mosquitto does not run), on a fixed schedule with latency
 * counted from each message's scheduled time; they take turns for a few rounds (the host's CPU
 * comes and goes) and the median of the rounds is reported. The load follows the target's peer, not
 * the slowest side: a slow relay would otherwise be measured at an easy load.
 *
 * <p>ztchat's target rows carry version-2 envelopes in binary frames, what two version-2 peers use
 * by default ({@link Wire#v2}), and Mosquitto carries the same envelope bytes. The same runs with
 * version-1 envelopes in JSON frames ({@link Wire#v1}) follow as rows for information named
 * "version 1, JSON frames", so the figures stay comparable with earlier runs.
 */
final class RelayBench implements Benchmark {
  /** The fixed offered load as a share of Mosquitto QoS 0's full rate. */
  static final double LOAD_SHARE = 0.5;

  /** The format of the rows for information: the one before version 2. */
  private static final Wire VERSION_1 = Wire.v1();

  @Override
  public String name() {
    return "relay";
  }

  @Override
  public String description() {
    return "messages/s and p50/p99/p99.9 latency, 1→1 and 100 pairs, vs Mosquitto QoS 0 and 1";
  }

  @Override
  public List<Figure> run(BenchOptions o, BenchPki pki) throws Exception {
    List<Figure> out = new ArrayList<>();
    int bigPairs = o.pick(100, 5);
    List<UserIdentity[]> one = pairs(pki, 1);
    List<UserIdentity[]> many = pairs(pki, bigPairs);
    int total = o.pick(100_000, 1_000);
    Duration deadline = o.pick(Duration.ofSeconds(120), Duration.ofSeconds(15));
    Wire wire = Wire.v2(pki);
    scenario(o, pki, wire, "1→1", one, total, deadline, out);
    scenario(o, pki, wire, bigPairs + " pairs", many, total / bigPairs, deadline, out);
    return out;
  }

  private static List<UserIdentity[]> pairs(BenchPki pki, int n) {
    List<UserIdentity[]> pairs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pairs.add(new UserIdentity[] {pki.user("alice" + i), pki.user("bob" + i)});
    }
    return pairs;
  }

  private static boolean peerRuns(BenchOptions o) {
    return o.peers() && PeerProcess.find("mosquitto").isPresent();
  }

  private static void scenario(
      BenchOptions o,
      BenchPki pki,
      Wire wire,
      String label,
      List<UserIdentity[]> pairs,
      int perPair,
      Duration deadline,
      List<Figure> out)
      throws Exception {
    int total = pairs.size() * perPair;
    o.say("relay %s: full rate, %,d envelopes", label, total);
    Latencies ours = ztchat(o, pki, wire, pairs, perPair, OfferedLoad.unpaced(), deadline);
    Latencies earlier = ztchat(o, pki, VERSION_1, pairs, perPair, OfferedLoad.unpaced(), deadline);
    Latencies q0 = null;
    Latencies q1 = null;
    String why = o.peers() ? Peers.missing("mosquitto") : "peers disabled";
    if (peerRuns(o)) {
      q0 =
          mosquitto(
              o, pki, wire, pairs, perPair, MqttQoS.AT_MOST_ONCE, OfferedLoad.unpaced(), deadline);
      q1 =
          mosquitto(
              o, pki, wire, pairs, perPair, MqttQoS.AT_LEAST_ONCE, OfferedLoad.unpaced(), deadline);
    }
    String lost =
        (q0 == null
                ? why
                : String.format(
                    Locale.ROOT,
                    "Mosquitto QoS 0 lost %,d of %,d; QoS 1 lost %,d; ztchat lost %,d",
                    q0.lost(),
                    total,
                    q1.lost(),
                    ours.lost()))
            + "; "
            + wire.label()
            + ", the same envelope bytes to Mosquitto";
    out.add(
        new Figure(
            "relay",
            label + " messages/s (QoS 0)",
            ours.throughput(),
            "Mosquitto QoS 0",
            q0 == null ? Double.NaN : q0.throughput(),
            true,
            1.0,
            lost));
    out.add(
        new Figure(
            "relay",
            label + " messages/s (QoS 1)",
            ours.throughput(),
            "Mosquitto QoS 1",
            q1 == null ? Double.NaN : q1.throughput(),
            true,
            1.0,
            "for information: the target is against QoS 0; " + wire.label()));
    out.add(
        new Figure(
            "relay",
            label + " messages/s (QoS 0), " + VERSION_1.label(),
            earlier.throughput(),
            "Mosquitto QoS 0",
            q0 == null ? Double.NaN : q0.throughput(),
            true,
            Double.NaN,
            String.format(
                Locale.ROOT,
                "for information, the format before version 2; ztchat lost %,d",
                earlier.lost())));
    for (double p : new double[] {50, 99, 99.9}) {
      out.add(
          new Figure(
              "relay",
              label + " " + pName(p) + " latency µs at full rate",
              ours.percentileMicros(p),
              "Mosquitto QoS 0",
              q0 == null ? Double.NaN : q0.percentileMicros(p),
              false,
              Double.NaN,
              p == 99
                  ? "each side at its own full rate: queueing delay at overload, for information"
                  : ""));
    }
    fixedLoad(o, pki, wire, label, pairs, LOAD_SHARE * fixedLoadBasis(ours, q0), out);
  }

  /**
   * The full rate the fixed load is a share of: Mosquitto QoS 0's (the peer of the target row), or
   * ztchat's own when Mosquitto did not run.
   */
  static double fixedLoadBasis(Latencies ours, Latencies q0) {
    return q0 == null || !(q0.throughput() > 0) ? ours.throughput() : q0.throughput();
  }

  /** The paced rounds: ztchat, Mosquitto QoS 0 and QoS 1 in turn at {@code rate} messages/s. */
  private static void fixedLoad(
      BenchOptions o,
      BenchPki pki,
      Wire wire,
      String label,
      List<UserIdentity[]> pairs,
      double rate,
      List<Figure> out)
      throws Exception {
    int rounds = o.pick(3, 1);
    Duration length = o.pick(Duration.ofSeconds(8), Duration.ofSeconds(1));
    int perPair =
        (int)
            Math.max(
                1,
                Math.min(o.pick(50_000, 500), Math.round(rate * length.toMillis() / 1000.0))
                    / pairs.size());
    Duration deadline =
        length.multipliedBy(2).plus(o.pick(Duration.ofSeconds(30), Duration.ofSeconds(10)));
    o.say(
        "relay %s: fixed load %,.0f msg/s (%.0f%% of Mosquitto QoS 0's full rate), %,d envelopes"
            + " per run, %d round(s)",
        label, rate, LOAD_SHARE * 100, perPair * pairs.size(), rounds);
    List<Latencies> ours = new ArrayList<>();
    List<Latencies> earlier = new ArrayList<>();
    List<Latencies> q0 = new ArrayList<>();
    List<Latencies> q1 = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      ours.add(
          ztchat(o, pki, wire, pairs, perPair, OfferedLoad.paced(rate, pairs.size()), deadline));
      earlier.add(
          ztchat(
              o, pki, VERSION_1, pairs, perPair, OfferedLoad.paced(rate, pairs.size()), deadline));
      if (peerRuns(o)) {
        q0.add(
            mosquitto(
                o,
                pki,
                wire,
                pairs,
                perPair,
                MqttQoS.AT_MOST_ONCE,
                OfferedLoad.paced(rate, pairs.size()),
                deadline));
        q1.add(
            mosquitto(
                o,
                pki,
                wire,
                pairs,
                perPair,
                MqttQoS.AT_LEAST_ONCE,
                OfferedLoad.paced(rate, pairs.size()),
                deadline));
      }
    }
    String at =
        String.format(
            Locale.ROOT,
            "%s; offered %,.0f msg/s to each side, median of %d round(s)",
            wire.label(),
            rate,
            rounds);
    String losses =
        String.format(
                Locale.ROOT,
                "; lost of %,d per run: ztchat %s",
                perPair * pairs.size(),
                lostText(ours))
            + (q0.isEmpty() ? "" : "; Mosquitto QoS 0 " + lostText(q0) + "; QoS 1 " + lostText(q1));
    String rounds99 =
        "; p99 per round µs: ztchat "
            + roundsText(ours, 99)
            + (q0.isEmpty() ? "" : "; Mosquitto QoS 0 " + roundsText(q0, 99));
    String missing =
        q0.isEmpty() ? "; " + (o.peers() ? Peers.missing("mosquitto") : "peers disabled") : "";
    for (double p : new double[] {50, 99, 99.9}) {
      out.add(
          new Figure(
              "relay",
              label + " " + pName(p) + " latency µs at fixed load",
              median(ours, p),
              "Mosquitto QoS 0",
              median(q0, p),
              false,
              p == 99 ? 1.0 : Double.NaN,
              p == 99 ? at + losses + rounds99 + missing : "for information"));
    }
    out.add(
        new Figure(
            "relay",
            label + " p99 latency µs at fixed load",
            median(ours, 99),
            "Mosquitto QoS 1",
            median(q1, 99),
            false,
            Double.NaN,
            "for information: QoS 1 acknowledges each message, as ztchat does"));
    out.add(
        new Figure(
            "relay",
            label + " p99 latency µs at fixed load, " + VERSION_1.label(),
            median(earlier, 99),
            "Mosquitto QoS 0",
            median(q0, 99),
            false,
            Double.NaN,
            "for information, the format before version 2; lost per run: " + lostText(earlier)));
  }

  private static String pName(double p) {
    return "p" + (p == 99.9 ? "99.9" : String.valueOf((int) p));
  }

  /** The median over rounds of each round's {@code p}-th percentile, or NaN without rounds. */
  static double median(List<Latencies> runs, double p) {
    double[] v =
        runs.stream()
            .mapToDouble(l -> l.percentileMicros(p))
            .filter(Double::isFinite)
            .sorted()
            .toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String lostText(List<Latencies> runs) {
    return runs.stream()
        .map(l -> String.format(Locale.ROOT, "%,d", l.lost()))
        .collect(Collectors.joining("/"));
  }

  private static String roundsText(List<Latencies> runs, double p) {
    return Arrays.stream(runs.stream().mapToDouble(l -> l.percentileMicros(p)).toArray())
        .mapToObj(Figure::num)
        .collect(Collectors.joining("/"));
  }

  private static Latencies ztchat(
      BenchOptions o,
      BenchPki pki,
      Wire wire,
      List<UserIdentity[]> pairs,
      int perPair,
      OfferedLoad load,
      Duration deadline)
      throws Exception {
    ZtRelayLoad.Result r;
    try (RelayServer relay = InProcessRelay.start(pki)) {
      r = ZtRelayLoad.run(relay.port(), pki.caCertificate(), wire, pairs, perPair, load, deadline);
    }
    say(o, "ztchat (" + wire.label() + ")", load, r.latencies());
    return r.latencies();
  }

  private static Latencies mosquitto(
      BenchOptions o,
      BenchPki pki,
      Wire wire,
      List<UserIdentity[]> pairs,
      int perPair,
      MqttQoS qos,
      OfferedLoad load,
      Duration deadline)
      throws Exception {
    try (PeerProcess m = Peers.mosquitto(pki)) {
      Latencies l =
          MqttRelayLoad.run(
              m.port(), pki.caCertificate(), wire, pairs, perPair, qos, load, deadline);
      say(o, "Mosquitto QoS " + qos.value(), load, l);
      return l;
    }
  }

  private static void say(BenchOptions o, String who, OfferedLoad load, Latencies l) {
    o.say(
        "  %s%s: %,d of %,d received, %,.0f msg/s, p50 %,.0f µs, p99 %,.0f µs, p99.9 %,.0f µs",
        who,
        load.isPaced() ? String.format(Locale.ROOT, " at %,.0f msg/s", load.rate()) : "",
        l.receivedCount(),
        l.expected(),
        l.throughput(),
        l.percentileMicros(50),
        l.percentileMicros(99),
        l.percentileMicros(99.9));
  }
}
