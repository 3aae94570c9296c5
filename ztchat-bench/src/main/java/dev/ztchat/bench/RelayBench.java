package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.server.RelayServer;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Figure 2: relay throughput and one-way latency of pre-sealed 256-byte envelopes over mTLS, 1→1
 * and 100 pairs at once, against Mosquitto at QoS 0 and QoS 1 driven by the same client code with
 * the same payload bytes. ztchat keeps its guarantee throughout: durable store before "sent",
 * receiver acks.
 */
final class RelayBench implements Benchmark {
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
    scenario(o, pki, "1→1", one, total, deadline, out);
    scenario(o, pki, bigPairs + " pairs", many, total / bigPairs, deadline, out);
    return out;
  }

  private static List<UserIdentity[]> pairs(BenchPki pki, int n) {
    List<UserIdentity[]> pairs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pairs.add(new UserIdentity[] {pki.user("alice" + i), pki.user("bob" + i)});
    }
    return pairs;
  }

  private static void scenario(BenchOptions o, BenchPki pki, String label, List<UserIdentity[]> pairs, int perPair,
      Duration deadline, List<Figure> out) throws Exception {
    int total = pairs.size() * perPair;
    Latencies ours;
    o.say("relay %s: ztchat, %,d envelopes", label, total);
    try (RelayServer relay = InProcessRelay.start(pki)) {
      ours = ZtRelayLoad.run(relay.port(), pki.caCertificate(), pairs, perPair, false, deadline).latencies();
    }
    o.say("  ztchat: %,d received, %,.0f msg/s, p50 %.0f µs, p99 %.0f µs", ours.receivedCount(), ours.throughput(),
        ours.percentileMicros(50), ours.percentileMicros(99));
    Latencies q0 = null;
    Latencies q1 = null;
    String why = "";
    if (!o.peers() || PeerProcess.find("mosquitto").isEmpty()) {
      why = o.peers() ? Peers.missing("mosquitto") : "peers disabled";
    } else {
      q0 = mosquitto(o, pki, pairs, perPair, MqttQoS.AT_MOST_ONCE, deadline);
      q1 = mosquitto(o, pki, pairs, perPair, MqttQoS.AT_LEAST_ONCE, deadline);
    }
    String lost = q0 == null ? why : String.format(Locale.ROOT, "Mosquitto QoS 0 lost %,d of %,d; QoS 1 lost %,d; ztchat lost %,d",
        total - q0.receivedCount(), total, total - q1.receivedCount(), total - ours.receivedCount());
    out.add(new Figure("relay", label + " messages/s (QoS 0)", ours.throughput(), "Mosquitto QoS 0",
        q0 == null ? Double.NaN : q0.throughput(), true, 1.0, lost));
    out.add(new Figure("relay", label + " messages/s (QoS 1)", ours.throughput(), "Mosquitto QoS 1",
        q1 == null ? Double.NaN : q1.throughput(), true, 1.0, "for information: the target is against QoS 0"));
    for (double p : new double[] {50, 99, 99.9}) {
      out.add(new Figure("relay", label + " p" + (p == 99.9 ? "99.9" : String.valueOf((int) p)) + " latency µs",
          ours.percentileMicros(p), "Mosquitto QoS 0", q0 == null ? Double.NaN : q0.percentileMicros(p), false,
          p == 99 ? 1.0 : Double.NaN, p == 99 ? "each side at its own full rate" : ""));
    }
  }

  private static Latencies mosquitto(BenchOptions o, BenchPki pki, List<UserIdentity[]> pairs, int perPair, MqttQoS qos,
      Duration deadline) throws Exception {
    try (PeerProcess m = Peers.mosquitto(pki)) {
      Latencies l = MqttRelayLoad.run(m.port(), pki.caCertificate(), pairs, perPair, qos, deadline);
      o.say("  Mosquitto %s: %,d received, %,.0f msg/s, p50 %.0f µs, p99 %.0f µs", qos, l.receivedCount(), l.throughput(),
          l.percentileMicros(50), l.percentileMicros(99));
      return l;
    }
  }
}
