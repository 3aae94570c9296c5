package dev.ztchat.bench;

import dev.ztchat.core.pki.KeyType;
import dev.ztchat.core.transport.TlsSettings;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.aot.HandshakeLoad;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Figure 3: new full mTLS handshakes per second from load clients presenting a client certificate,
 * against nginx's stream module with {@code ssl_verify_client on}, same server and client
 * certificates. Two clients: our Netty client ({@link HandshakeLoad}) and {@code openssl s_time
 * -new}, two processes in parallel ({@link STimeLoad}, after {@code s_client} proved each server
 * accepts the certificate and refuses a connection without one). Measured with the product's
 * default RSA-3072 CA and server certificate (the main rows, target ≥ 1.00× nginx) and, side by
 * side, with an ECDSA P-256 CA and server certificate ({@code pki init --key-type ec}; client
 * certificates stay RSA-3072, as in the product). The relay and nginx each use both cores (nginx: 2
 * workers); ours and nginx alternate (the order flips every round) and medians are reported,
 * because the host steals CPU. A few seconds against a first relay warm the JVM up and are not
 * counted.
 */
final class HandshakeBench implements Benchmark {
  private static final int CONCURRENCY = 4;
  private static final int STIME_PROCESSES = 2;
  private static final String USER = "alice0";

  @Override
  public String name() {
    return "handshake";
  }

  @Override
  public String description() {
    return "new full mTLS handshakes/s (Netty client and openssl s_time), vs nginx stream with"
        + " ssl_verify_client on, RSA-3072 and ECDSA P-256 servers";
  }

  @Override
  public List<Figure> run(BenchOptions o, BenchPki pki) throws Exception {
    Duration warmUp = o.pick(Duration.ofSeconds(3), Duration.ZERO);
    if (!warmUp.isZero()) {
      // the first relay in this JVM runs cold (JIT, TLS library set-up): not a sample
      try (RelayServer relay = InProcessRelay.start(pki)) {
        HandshakeLoad.run(
            relay.port(),
            Dialer.clientContext(pki.user(USER).signing(), pki.caCertificate()),
            CONCURRENCY,
            warmUp);
      }
    }
    List<Figure> out = new ArrayList<>(measure(o, pki, true));
    try (BenchPki ec = BenchPki.create(3072, KeyType.EC)) {
      out.addAll(measure(o, ec, false));
    }
    return out;
  }

  /** Samples of one client against one server, and why any were skipped. */
  private static final class Samples {
    final List<Double> rates = new ArrayList<>();
    final Set<String> problems = new LinkedHashSet<>();

    double median() {
      return HandshakeBench.median(rates);
    }
  }

  private List<Figure> measure(BenchOptions o, BenchPki pki, boolean main) throws Exception {
    // The client offers one group, so the group every handshake uses is known: X25519 for the
    // comparison with nginx (whose OpenSSL 3.0 has no ML-KEM), and the hybrid for the relay alone.
    boolean groups = TlsSettings.provider() == SslProvider.OPENSSL;
    var me = pki.user(USER).signing();
    SslContext tls =
        groups
            ? Dialer.clientContext(me, pki.caCertificate(), List.of("X25519"))
            : Dialer.clientContext(me, pki.caCertificate());
    SslContext hybrid =
        groups && main
            ? Dialer.clientContext(me, pki.caCertificate(), List.of(TlsSettings.HYBRID_GROUP))
            : null;
    Duration each = o.pick(Duration.ofSeconds(10), Duration.ofSeconds(1));
    int rounds = o.pick(3, 1);
    boolean nginx = o.peers() && PeerProcess.find("nginx").isPresent();
    Optional<Path> openssl = o.peers() ? STimeLoad.openssl() : Optional.empty();
    String keys = pki.keyType() == KeyType.EC ? "ECDSA P-256" : "RSA-3072";
    Samples oursNetty = new Samples();
    Samples nginxNetty = new Samples();
    Samples oursSTime = new Samples();
    Samples nginxSTime = new Samples();
    Samples oursHybrid = new Samples();
    for (int i = 0; i < rounds; i++) {
      boolean oursFirst = i % 2 == 0;
      for (int turn = 0; turn < 2; turn++) {
        boolean ours = (turn == 0) == oursFirst;
        if (ours) {
          try (RelayServer relay = InProcessRelay.start(pki)) {
            sample(o, keys, "ztchat", i, relay.port(), tls, each, oursNetty);
            if (hybrid != null) {
              sample(
                  o,
                  keys,
                  "ztchat " + TlsSettings.HYBRID_GROUP,
                  i,
                  relay.port(),
                  hybrid,
                  each,
                  oursHybrid);
            }
            sTime(o, pki, keys, "ztchat", i, relay.port(), true, openssl, each, oursSTime);
          }
        } else if (nginx) {
          try (PeerProcess peer = Peers.nginx(pki, 2)) {
            sample(o, keys, "nginx", i, peer.port(), tls, each, nginxNetty);
            // nginx's stream server sends one line and closes: acceptance is proved by the line
            sTime(o, pki, keys, "nginx", i, peer.port(), false, openssl, each, nginxSTime);
          }
        }
      }
    }
    String server = keys + " CA and server certificate";
    String common =
        (main ? server : server + ", RSA-3072 client certificates")
            + ", TLS 1.3, median of "
            + rounds;
    String noNginx = nginx ? "" : "; " + (o.peers() ? Peers.missing("nginx") : "peers disabled");
    String group = groups ? ", X25519 offered alone" : ", the JDK's TLS (BoringSSL unavailable)";
    double target = main ? 1.0 : Double.NaN;
    String suffix = main ? "" : ", ECDSA P-256 server";
    List<Figure> figures = new ArrayList<>();
    figures.add(
        new Figure(
            "handshake",
            "full mTLS handshakes/s" + suffix,
            oursNetty.median(),
            "nginx stream",
            nginx ? nginxNetty.median() : Double.NaN,
            true,
            target,
            "Netty client, " + CONCURRENCY + " concurrent, " + common + group + noNginx));
    if (hybrid != null) {
      figures.add(
          new Figure(
              "handshake",
              "full mTLS handshakes/s, " + TlsSettings.HYBRID_GROUP,
              oursHybrid.median(),
              "nginx stream, X25519",
              nginx ? nginxNetty.median() : Double.NaN,
              true,
              Double.NaN,
              String.format(
                      Locale.ROOT,
                      "%.2f× ztchat's X25519 rate in the same rounds; nginx 1.22 on OpenSSL 3.0"
                          + " has no %s, so its X25519 rate is the peer; Netty client, ",
                      oursHybrid.median() / oursNetty.median(),
                      TlsSettings.HYBRID_GROUP)
                  + CONCURRENCY
                  + " concurrent, "
                  + common
                  + noNginx));
    }
    if (main) {
      figures.addAll(FirstSeconds.measure(o, pki, tls, keys + " CA and server certificate"));
    }
    if (openssl.isEmpty()) {
      o.say(
          "handshake: openssl s_time skipped: %s",
          o.peers() ? Peers.missing("openssl") : "peers disabled");
      return figures;
    }
    List<String> notes = new ArrayList<>();
    notes.add(
        "openssl s_time -new, "
            + STIME_PROCESSES
            + " processes, rate from wall time, s_client checked"
            + " accept/refuse first, "
            + common
            + noNginx);
    notes.addAll(oursSTime.problems.stream().map(p -> "ztchat: " + p).toList());
    notes.addAll(nginxSTime.problems.stream().map(p -> "nginx: " + p).toList());
    figures.add(
        new Figure(
            "handshake",
            "full mTLS handshakes/s, openssl s_time" + suffix,
            oursSTime.median(),
            "nginx stream",
            nginx && !nginxSTime.rates.isEmpty() ? nginxSTime.median() : Double.NaN,
            true,
            target,
            String.join("; ", notes)));
    return figures;
  }

  private static void sample(
      BenchOptions o,
      String keys,
      String who,
      int round,
      int port,
      SslContext tls,
      Duration each,
      Samples into)
      throws InterruptedException {
    HandshakeLoad.Result r = HandshakeLoad.run(port, tls, CONCURRENCY, each);
    o.say(
        "handshake %s round %d: %s Netty client %,d done, %d failed, %.0f/s",
        keys, round + 1, who, r.completed(), r.failed(), r.perSecond());
    into.rates.add(r.perSecond());
  }

  private static void sTime(
      BenchOptions o,
      BenchPki pki,
      String keys,
      String who,
      int round,
      int port,
      boolean staysOpen,
      Optional<Path> openssl,
      Duration each,
      Samples into)
      throws Exception {
    if (openssl.isEmpty()) {
      return;
    }
    Optional<String> problem =
        STimeLoad.checkAuthentication(openssl.get(), port, pki.layout(), USER, staysOpen);
    if (problem.isPresent()) {
      o.say("handshake %s round %d: %s s_time skipped: %s", keys, round + 1, who, problem.get());
      into.problems.add("s_time skipped, " + problem.get());
      return;
    }
    try {
      STimeLoad.Result r =
          STimeLoad.run(openssl.get(), port, pki.layout(), USER, STIME_PROCESSES, each);
      o.say(
          "handshake %s round %d: %s openssl s_time x%d %,d in %.1f s wall, %.0f/s",
          keys, round + 1, who, STIME_PROCESSES, r.connections(), r.wallSeconds(), r.perSecond());
      into.rates.add(r.perSecond());
    } catch (IOException e) {
      o.say("handshake %s round %d: %s s_time failed: %s", keys, round + 1, who, e.getMessage());
      into.problems.add(e.getMessage());
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
  }
}
