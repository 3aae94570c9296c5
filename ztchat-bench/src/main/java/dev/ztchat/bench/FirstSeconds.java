package dev.ztchat.bench;

import dev.ztchat.server.aot.HandshakeLoad;
import dev.ztchat.server.aot.RelayAotTraining;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The handshake bench's rows about the first seconds after a start: each server is started fresh
 * and loaded at once, and its handshakes are counted second by second. The relay runs in a JVM of
 * its own ({@link RelayProcess}), once plain and once from a JDK 25 ahead-of-time cache with method
 * profiles (JEP 483/514/515: {@code -XX:AOTCacheOutput} in a training run that takes handshakes for
 * a while, then {@code -XX:AOTCache}); nginx is started fresh too. The first window (10 s) of each
 * is compared with nginx's first window, counted both from the moment the server listens and from
 * the start of its process (which also charges the JVM's start and anything the relay does before
 * it listens), and the last window of the run (warm) with nginx's. For each relay run it also
 * prints the relay's CPU by thread ({@link ThreadCpu}: event loops, C1, C2, GC, the rest) before it
 * listened and per handshake of the first and the last window, which says what a first window is
 * made of (bench/ANALYSIS.md section 3) better than a rate on a shared host.
 */
final class FirstSeconds {
  private static final int CONCURRENCY = 4;
  private static final String TRAINEE = "alice0";

  private FirstSeconds() {}

  /** One server's runs: handshakes/s in the first and in the last window, and start-up time. */
  private static final class Runs {
    final List<Double> first = new ArrayList<>();
    final List<Double> fromStart = new ArrayList<>();
    final List<Double> warm = new ArrayList<>();
    final List<Double> listeningMillis = new ArrayList<>();
  }

  /**
   * How long each server is loaded, the window counted at its start and at its end, how many
   * rounds, and how long the training run takes handshakes.
   */
  record Settings(Duration run, int window, int rounds, Duration training) {
    static Settings of(BenchOptions o) {
      return new Settings(
          o.pick(Duration.ofSeconds(30), Duration.ofSeconds(2)),
          o.pick(10, 1),
          o.pick(3, 1),
          o.pick(RelayAotTraining.LOAD, Duration.ofSeconds(2)));
    }
  }

  static List<Figure> measure(BenchOptions o, BenchPki pki, SslContext tls, String keys)
      throws Exception {
    return measure(o, pki, tls, keys, Settings.of(o));
  }

  static List<Figure> measure(
      BenchOptions o, BenchPki pki, SslContext tls, String keys, Settings settings)
      throws Exception {
    Duration run = settings.run();
    int window = settings.window();
    int rounds = settings.rounds();
    boolean nginx = o.peers() && PeerProcess.find("nginx").isPresent();
    Path cache = pki.newFolder("aot-").resolve("relay.aot");
    String aotProblem = train(o, pki, cache, settings.training());
    List<String> aot = List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on");
    Runs plain = new Runs();
    Runs cached = new Runs();
    Runs peer = new Runs();
    for (int i = 0; i < rounds; i++) {
      // the order turns every round, so no server always follows the same one
      for (int turn = 0; turn < 3; turn++) {
        switch ((turn + i) % 3) {
          case 0 -> relay(o, pki, tls, List.of(), run, window, "no cache", i, plain);
          case 1 -> {
            if (aotProblem.isEmpty()) {
              relay(o, pki, tls, aot, run, window, "AOT cache", i, cached);
            }
          }
          default -> {
            if (nginx) {
              long started = System.nanoTime();
              try (PeerProcess p = Peers.nginx(pki, 2)) {
                HandshakeLoad.Result r =
                    HandshakeLoad.run(p.port(), tls, CONCURRENCY, run, started);
                record(o, "nginx", i, r, window, peer);
              }
            }
          }
        }
      }
    }
    String common =
        String.format(
            Locale.ROOT,
            "each server started fresh and loaded at once for %d s (Netty client, %d concurrent,"
                + " %s, X25519), median of %d",
            run.toSeconds(),
            CONCURRENCY,
            keys,
            rounds);
    String noNginx = nginx ? "" : "; " + (o.peers() ? Peers.missing("nginx") : "peers disabled");
    String first = "first " + window + " s";
    String fromStart = window + " s from the process start";
    String warm = "seconds " + (run.toSeconds() - window) + "-" + run.toSeconds();
    List<Figure> out = new ArrayList<>();
    out.add(
        row(
            "handshakes/s in the " + first + ", relay JVM without cache",
            plain.first,
            "nginx, " + first,
            peer.first,
            nginx,
            1.0,
            common + noNginx));
    out.add(
        row(
            "handshakes/s in the " + first + ", relay JVM with AOT cache",
            cached.first,
            "nginx, " + first,
            peer.first,
            nginx,
            1.0,
            aotProblem.isEmpty()
                ? "cache from a training run (RelayAotTraining); " + common + noNginx
                : aotProblem));
    out.add(
        row(
            "handshakes/s in the " + fromStart + ", relay JVM without cache",
            plain.fromStart,
            "nginx, " + fromStart,
            peer.fromStart,
            nginx,
            1.0,
            "counted from the JVM's start, listening included; " + common + noNginx));
    out.add(
        row(
            "handshakes/s in the " + fromStart + ", relay JVM with AOT cache",
            cached.fromStart,
            "nginx, " + fromStart,
            peer.fromStart,
            nginx,
            1.0,
            aotProblem.isEmpty()
                ? "counted from the JVM's start, listening included; " + common + noNginx
                : aotProblem));
    out.add(
        row(
            "handshakes/s, " + warm + ", relay JVM without cache",
            plain.warm,
            "nginx, " + warm,
            peer.warm,
            nginx,
            Double.NaN,
            "warm, same runs"));
    out.add(
        row(
            "handshakes/s, " + warm + ", relay JVM with AOT cache",
            cached.warm,
            "nginx, " + warm,
            peer.warm,
            nginx,
            Double.NaN,
            aotProblem.isEmpty() ? "warm, same runs" : aotProblem));
    out.add(
        new Figure(
            "handshake",
            "relay JVM start to listening, ms, with AOT cache",
            median(cached.listeningMillis),
            "without cache",
            median(plain.listeningMillis),
            false,
            Double.NaN,
            aotProblem.isEmpty() ? "JVM start, relay set-up, port open" : aotProblem));
    return out;
  }

  private static Figure row(
      String metric,
      List<Double> ours,
      String peerName,
      List<Double> peer,
      boolean peerRan,
      double target,
      String note) {
    return new Figure(
        "handshake",
        metric,
        median(ours),
        peerName,
        peerRan ? median(peer) : Double.NaN,
        true,
        target,
        note);
  }

  /** The training run ({@link RelayAotTraining}); returns why there is no cache, or "". */
  private static String train(BenchOptions o, BenchPki pki, Path cache, Duration duration)
      throws Exception {
    long t0 = System.nanoTime();
    RelayAotTraining.Result r =
        RelayAotTraining.train(pki.layout(), pki.user(TRAINEE).signing(), cache, duration);
    if (!r.problem().isEmpty()) {
      o.say("handshake first seconds: %s", r.problem());
      return r.problem();
    }
    o.say(
        "handshake first seconds: relay AOT cache of %,d KiB trained on %,d handshakes in %.1f s",
        Files.size(cache) / 1024, r.handshakes(), (System.nanoTime() - t0) / 1e9);
    return "";
  }

  private static void relay(
      BenchOptions o,
      BenchPki pki,
      SslContext tls,
      List<String> jvmOptions,
      Duration run,
      int window,
      String label,
      int round,
      Runs into)
      throws IOException, InterruptedException {
    try (RelayProcess relay = RelayProcess.start(pki, jvmOptions)) {
      Optional<ThreadCpu> atListening = ThreadCpu.read(relay.pid());
      // the relay's CPU by thread at the edges of the first and the last window of the load
      List<Optional<ThreadCpu>> edges = new CopyOnWriteArrayList<>();
      ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
      HandshakeLoad.Result r;
      try {
        for (long s : new long[] {window, run.toSeconds() - window}) {
          var _ = clock.schedule(() -> edges.add(ThreadCpu.read(relay.pid())), s, TimeUnit.SECONDS);
        }
        r = HandshakeLoad.run(relay.port(), tls, CONCURRENCY, run, relay.startedAtNanos());
      } finally {
        clock.shutdownNow();
      }
      Optional<ThreadCpu> atEnd = ThreadCpu.read(relay.pid());
      into.listeningMillis.add(relay.listeningAfterMillis());
      if (atListening.isPresent()
          && atEnd.isPresent()
          && edges.size() == 2
          && edges.stream().allMatch(Optional::isPresent)) {
        int n = r.eachSecond().size();
        o.say(
            "handshake first seconds, round %d: ztchat, %s: relay CPU before listening %s; per"
                + " handshake in the first %d s %s; in the last %d s %s",
            round + 1,
            label,
            atListening.get().since(ThreadCpu.none(), 1),
            window,
            edges.get(0).orElseThrow().since(atListening.get(), r.rate(0, window) * window),
            window,
            atEnd.get().since(edges.get(1).orElseThrow(), r.rate(n - window, n) * window));
      }
      record(
          o,
          "ztchat, "
              + label
              + String.format(
                  Locale.ROOT, " (listening after %.0f ms)", relay.listeningAfterMillis()),
          round,
          r,
          window,
          into);
    }
  }

  private static void record(
      BenchOptions o, String who, int round, HandshakeLoad.Result r, int window, Runs into) {
    int n = r.eachSecond().size();
    into.first.add(r.rate(0, window));
    into.fromStart.add(r.rateSinceOrigin(0, window));
    into.warm.add(r.rate(n - window, n));
    o.say(
        "handshake first seconds, round %d: %s %,d done, %d failed; per second %s, from the"
            + " process start %s",
        round + 1, who, r.completed(), r.failed(), r.eachSecond(), r.sinceOrigin());
  }

  private static double median(List<Double> xs) {
    return HandshakeBench.median(xs);
  }
}
