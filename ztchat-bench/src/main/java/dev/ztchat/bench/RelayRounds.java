package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.server.RelayServer;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One scenario of the relay or store bench in a JVM of its own, for same-run comparisons of two
 * builds taking turns on a shared machine (bench/ANALYSIS.md section 2a), where a whole {@code
 * ztchat bench relay} takes too long to repeat:
 *
 * <ul>
 *   <li>{@code relay PAIRS PER_PAIR}: PAIRS sender→receiver pairs at full rate through a relay in
 *       this JVM, as the relay bench's full-rate row;
 *   <li>{@code mosquitto PAIRS PER_PAIR}: the same load through Mosquitto at QoS 0;
 *   <li>{@code store N}: N envelopes to an offline user, then drained, as the store bench, and the
 *       same rows inserted straight into SQLite (its peer).
 * </ul>
 *
 * A last argument {@code v1} runs it with version-1 envelopes in JSON frames ({@link Wire#v1}), the
 * format before version 2; by default the envelopes are version 2 in binary frames ({@link
 * Wire#v2}), as the relay and store benches' target rows. Prints one line: the rates, what arrived,
 * the CPU time of the relay and load-client threads per message, and the host's load average before
 * and after.
 */
public final class RelayRounds {
  private static final Duration DEADLINE = Duration.ofMinutes(2);

  private RelayRounds() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: RelayRounds relay|mosquitto PAIRS PER_PAIR [v1] | store N [v1]");
      System.exit(2);
    }
    String before = loadAverage();
    try (BenchPki pki = BenchPki.create(3072)) {
      Wire wire = args[args.length - 1].equals("v1") ? Wire.v1() : Wire.v2(pki);
      String line =
          switch (args[0]) {
            case "relay", "mosquitto" ->
                pairs(pki, wire, args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "store" -> store(pki, wire, Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException("no scenario " + args[0]);
          };
      System.out.printf(
          Locale.ROOT, "%s %s, load %s -> %s%n", line, wire.label(), before, loadAverage());
    }
  }

  private static String pairs(BenchPki pki, Wire wire, String side, int n, int perPair)
      throws Exception {
    List<UserIdentity[]> pairs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pairs.add(new UserIdentity[] {pki.user("alice" + i), pki.user("bob" + i)});
    }
    long cpu = -workersCpuNanos();
    Latencies l;
    if (side.equals("relay")) {
      try (RelayServer relay = InProcessRelay.start(pki)) {
        l =
            ZtRelayLoad.run(
                    relay.port(),
                    pki.caCertificate(),
                    wire,
                    pairs,
                    perPair,
                    OfferedLoad.unpaced(),
                    DEADLINE)
                .latencies();
      }
    } else {
      try (PeerProcess m = Peers.mosquitto(pki)) {
        l =
            MqttRelayLoad.run(
                m.port(),
                pki.caCertificate(),
                wire,
                pairs,
                perPair,
                MqttQoS.AT_MOST_ONCE,
                OfferedLoad.unpaced(),
                DEADLINE);
      }
    }
    cpu += workersCpuNanos();
    return String.format(
        Locale.ROOT,
        "%s %d pairs: %,.0f msg/s, %,d of %,d received, %.0f µs CPU/msg,",
        side,
        n,
        l.throughput(),
        l.receivedCount(),
        l.expected(),
        cpu / 1e3 / Math.max(1, l.receivedCount()));
  }

  private static String store(BenchPki pki, Wire wire, int n) throws Exception {
    UserIdentity sender = pki.user("alice0");
    UserIdentity recipient = pki.user("bob0");
    long cpu = -workersCpuNanos();
    ZtRelayLoad.Result r;
    try (RelayServer relay = InProcessRelay.start(pki)) {
      r =
          ZtRelayLoad.run(
              relay.port(),
              pki.caCertificate(),
              wire,
              List.<UserIdentity[]>of(new UserIdentity[] {sender, recipient}),
              n,
              true,
              DEADLINE);
    }
    cpu += workersCpuNanos();
    int drained = r.latencies().receivedCount();
    double raw = StoreBench.rawInserts(pki.newFolder("raw-"), wire.envelopes(sender, recipient), n);
    return String.format(
        Locale.ROOT,
        "store %,d: enqueue %,.0f/s, drain %,.0f/s, enqueue+drain %,.0f/s, raw SQLite %,.0f/s"
            + " (ratio %.2f), %,d drained, %.0f µs CPU/envelope,",
        n,
        r.accepted() / (r.enqueueNanos() / 1e9),
        drained / (r.drainNanos() / 1e9),
        drained / ((r.enqueueNanos() + r.drainNanos()) / 1e9),
        raw,
        drained / ((r.enqueueNanos() + r.drainNanos()) / 1e9) / raw,
        drained,
        cpu / 1e3 / Math.max(1, drained));
  }

  /** CPU time of this process so far, less this thread's (which seals the envelopes up front). */
  private static long workersCpuNanos() {
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() - ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
