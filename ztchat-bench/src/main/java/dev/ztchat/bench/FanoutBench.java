package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.server.RelayServer;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Figure 6: group fan-out. One member of a 50-member group sends version-2 group envelopes of a
 * 256-byte text ({@link GroupEnvelopes}: one envelope naming the 49 others, one entry per device)
 * through the relay to the 49 others, all online with one device each, each acknowledging every
 * envelope; beside Mosquitto publishing the same bytes to one topic with 49 subscribers, at QoS 0
 * and QoS 1, driven by the same client code. The figure is group messages per second (deliveries
 * per second divided by 49).
 */
final class FanoutBench implements Benchmark {
  /** Members of the group, the sender included. */
  static final int MEMBERS = 50;

  @Override
  public String name() {
    return "fanout";
  }

  @Override
  public String description() {
    return "group messages/s to a 50-member group (49 online receivers) vs Mosquitto, 49"
        + " subscribers";
  }

  @Override
  public List<Figure> run(BenchOptions o, BenchPki pki) throws Exception {
    UserIdentity sender = pki.user("member00");
    List<UserIdentity> receivers = new ArrayList<>();
    for (int i = 1; i < MEMBERS; i++) {
      receivers.add(pki.user(String.format(Locale.ROOT, "member%02d", i)));
    }
    int messages = o.pick(1_000, 40);
    Duration deadline = o.pick(Duration.ofSeconds(180), Duration.ofSeconds(30));
    int text = Envelopes.MESSAGE_BYTES;
    o.say(
        "fanout: %,d group messages to %d receivers (%,d deliveries)",
        messages, receivers.size(), messages * receivers.size());
    Latencies ours;
    try (RelayServer relay = InProcessRelay.start(pki)) {
      ours =
          ZtFanoutLoad.run(
              relay.port(), pki.caCertificate(), sender, receivers, messages, text, deadline);
    }
    say(o, "ztchat", ours, receivers.size());
    Latencies q0 = null;
    Latencies q1 = null;
    if (o.peers() && PeerProcess.find("mosquitto").isPresent()) {
      q0 = mosquitto(o, pki, sender, receivers, messages, MqttQoS.AT_MOST_ONCE, deadline);
      q1 = mosquitto(o, pki, sender, receivers, messages, MqttQoS.AT_LEAST_ONCE, deadline);
    }
    String why = o.peers() ? Peers.missing("mosquitto") : "peers disabled";
    int n = receivers.size();
    String lost =
        q0 == null
            ? why
            : String.format(
                Locale.ROOT,
                "deliveries lost of %,d: ztchat %,d, Mosquitto QoS 0 %,d, QoS 1 %,d; envelope %,d"
                    + " bytes",
                messages * n,
                ours.lost(),
                q0.lost(),
                q1.lost(),
                new GroupEnvelopes(sender.name(), names(receivers), text).envelope(0).length);
    List<Figure> out = new ArrayList<>();
    out.add(
        new Figure(
            "fanout",
            "50-member group messages/s (QoS 0)",
            ours.throughput() / n,
            "Mosquitto QoS 0",
            q0 == null ? Double.NaN : q0.throughput() / n,
            true,
            Double.NaN,
            lost));
    out.add(
        new Figure(
            "fanout",
            "50-member group messages/s (QoS 1)",
            ours.throughput() / n,
            "Mosquitto QoS 1",
            q1 == null ? Double.NaN : q1.throughput() / n,
            true,
            Double.NaN,
            "QoS 1 acknowledges each message, as ztchat does"));
    out.add(
        new Figure(
            "fanout",
            "50-member group p99 delivery latency µs at full rate",
            ours.percentileMicros(99),
            "Mosquitto QoS 1",
            q1 == null ? Double.NaN : q1.percentileMicros(99),
            false,
            Double.NaN,
            "each side at its own full rate: queueing delay at overload, for information"));
    return out;
  }

  private static List<String> names(List<UserIdentity> users) {
    return users.stream().map(UserIdentity::name).toList();
  }

  private static Latencies mosquitto(
      BenchOptions o,
      BenchPki pki,
      UserIdentity sender,
      List<UserIdentity> receivers,
      int messages,
      MqttQoS qos,
      Duration deadline)
      throws Exception {
    try (PeerProcess m = Peers.mosquitto(pki)) {
      Latencies l =
          MqttFanoutLoad.run(
              m.port(),
              pki.caCertificate(),
              sender,
              receivers,
              messages,
              Envelopes.MESSAGE_BYTES,
              qos,
              deadline);
      say(o, "Mosquitto QoS " + qos.value(), l, receivers.size());
      return l;
    }
  }

  private static void say(BenchOptions o, String who, Latencies l, int receivers) {
    o.say(
        "  %s: %,d of %,d deliveries, %,.0f group msg/s, p50 %,.0f µs, p99 %,.0f µs",
        who,
        l.receivedCount(),
        l.expected(),
        l.throughput() / receivers,
        l.percentileMicros(50),
        l.percentileMicros(99));
  }
}
