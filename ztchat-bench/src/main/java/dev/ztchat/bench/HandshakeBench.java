package dev.ztchat.bench;

import dev.ztchat.server.RelayServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Figure 3: new full mTLS handshakes per second from one load client presenting a client
 * certificate, against nginx's stream module with {@code ssl_verify_client on}, same server and
 * client certificates, same client code. The relay and nginx each use both cores (nginx: 2
 * workers); pairs of runs alternate and the median is reported, because the host steals CPU.
 */
final class HandshakeBench implements Benchmark {
  @Override
  public String name() {
    return "handshake";
  }

  @Override
  public String description() {
    return "new full mTLS handshakes/s, vs nginx stream with ssl_verify_client on";
  }

  @Override
  public List<Figure> run(BenchOptions o, BenchPki pki) throws Exception {
    var tls = Dialer.clientContext(pki.user("alice0").signing(), pki.caCertificate());
    Duration each = o.pick(Duration.ofSeconds(10), Duration.ofSeconds(1));
    int rounds = o.pick(3, 1);
    int concurrency = 4;
    boolean peer = o.peers() && PeerProcess.find("nginx").isPresent();
    List<Double> ours = new ArrayList<>();
    List<Double> theirs = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      try (RelayServer relay = InProcessRelay.start(pki)) {
        HandshakeLoad.Result r = HandshakeLoad.run(relay.port(), tls, concurrency, each);
        o.say("handshake round %d: ztchat %,d done, %d failed, %.0f/s", i + 1, r.completed(), r.failed(), r.perSecond());
        ours.add(r.perSecond());
      }
      if (peer) {
        try (PeerProcess nginx = Peers.nginx(pki, 2)) {
          HandshakeLoad.Result r = HandshakeLoad.run(nginx.port(), tls, concurrency, each);
          o.say("handshake round %d: nginx %,d done, %d failed, %.0f/s", i + 1, r.completed(), r.failed(), r.perSecond());
          theirs.add(r.perSecond());
        }
      }
    }
    String note = "RSA-3072 server and client certificates, TLS 1.3, " + concurrency + " concurrent, median of " + rounds
        + (peer ? "" : "; " + (o.peers() ? Peers.missing("nginx") : "peers disabled"));
    return List.of(new Figure("handshake", "full mTLS handshakes/s", median(ours), "nginx stream",
        peer ? median(theirs) : Double.NaN, true, 1.0, note));
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
  }
}
