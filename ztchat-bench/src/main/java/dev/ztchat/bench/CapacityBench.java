package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Figure 4: many idle authenticated connections (10,000; each user its own certificate), then one
 * message to each; the relay runs as its own process so its resident memory can be read. Each peer
 * (Mosquitto, nginx) is started fresh and holds the same number of mTLS connections.
 */
final class CapacityBench implements Benchmark {
  @Override
  public String name() {
    return "capacity";
  }

  @Override
  public String description() {
    return "10,000 idle mTLS connections, then one message to each; memory per connection vs Mosquitto and nginx";
  }

  @Override
  public List<Figure> run(BenchOptions o, BenchPki pki) throws Exception {
    int n = o.pick(10_000, 50);
    long timeout = o.pick(600, 30);
    o.say("capacity: issuing %,d user certificates", n);
    List<UserIdentity> users = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      users.add(pki.user("c" + i));
    }
    UserIdentity sender = pki.user("capsender");
    double[] ours = ztchat(o, pki, users, sender, timeout);
    List<Figure> out = new ArrayList<>();
    double mosq = Double.NaN;
    double nginx = Double.NaN;
    String why = o.peers() ? "" : "peers disabled";
    if (o.peers()) {
      mosq = peer(o, "mosquitto", pki, users, timeout);
      nginx = peer(o, "nginx", pki, users, timeout);
      if (Double.isNaN(mosq) || Double.isNaN(nginx)) {
        why = "a peer could not run (see the log)";
      }
    }
    String note = String.format(Locale.ROOT, "%,d of %,d connected, %,d dropped, %,d of %,d messages delivered; heap %.1f KiB/conn",
        (int) ours[2], n, (int) ours[3], (int) ours[4], n, ours[1] / 1024) + (why.isEmpty() ? "" : "; " + why);
    out.add(new Figure("capacity", "RSS per idle connection, KiB", ours[0] / 1024, "Mosquitto", mosq / 1024, false, 1.0, note));
    out.add(new Figure("capacity", "RSS per idle connection, KiB", ours[0] / 1024, "nginx (http, mTLS)", nginx / 1024, false,
        Double.NaN, "for information"));
    out.add(new Figure("capacity", "connections dropped", ours[3], "-", Double.NaN, false, Double.NaN,
        ours[3] == 0 ? "target 0: met" : "target 0: MISSED"));
    return out;
  }

  /** RSS/conn, heap/conn, connected, dropped, delivered. */
  private static double[] ztchat(BenchOptions o, BenchPki pki, List<UserIdentity> users, UserIdentity sender, long timeout)
      throws Exception {
    String javaExe = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(javaExe, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        RelayMain.class.getName(), pki.layout().root().toString(), pki.newFolder("capacity-data-").toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        PrintStream cmd = new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8);
        CapacityLoad load = new CapacityLoad()) {
      int port = (int) tagged(in, "PORT ");
      long heap0 = stats(cmd, in);
      long rss0 = PeerProcess.rssOf(p.pid());
      long t0 = System.nanoTime();
      int connected = load.open(port, pki.caCertificate(), users, CapacityLoad.Kind.ZTCHAT, timeout);
      o.say("  ztchat: %,d connected in %.1f s", connected, (System.nanoTime() - t0) / 1e9);
      Thread.sleep(2000);
      long heap1 = stats(cmd, in);
      long rss1 = PeerProcess.rssOf(p.pid());
      int n = users.size();
      send(port, pki, sender, users);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.pick(60, 10));
      while (load.delivered.get() < n && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      int open = load.open();
      o.say("  ztchat: RSS %,d → %,d KiB, heap %,d → %,d KiB, %,d delivered, %,d still open", rss0 / 1024, rss1 / 1024,
          heap0 / 1024, heap1 / 1024, load.delivered.get(), open);
      return new double[] {(rss1 - rss0) / (double) connected, (heap1 - heap0) / (double) connected, connected,
          n - open, load.delivered.get()};
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static long stats(PrintStream cmd, BufferedReader in) throws IOException {
    cmd.println("stats");
    return tagged(in, "HEAP ");
  }

  /** The number on the relay's next line starting with {@code tag} (its log may share stdout). */
  private static long tagged(BufferedReader in, String tag) throws IOException {
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith(tag)) {
        return Long.parseLong(line.substring(tag.length()).strip());
      }
    }
    throw new IOException("the relay process ended before printing " + tag.strip());
  }

  /** One envelope to each user, from {@code sender}, waiting for every "sent". */
  private static void send(int port, BenchPki pki, UserIdentity sender, List<UserIdentity> users) throws Exception {
    Envelopes env = new Envelopes(sender, users.get(0));
    CountDownLatch answered = new CountDownLatch(users.size());
    CountDownLatch welcome = new CountDownLatch(1);
    try (Dialer d = new Dialer(1)) {
      Channel ch = d.dial(port, Dialer.clientContext(sender.signing(), pki.caCertificate()), pl ->
          ZtFrameHandler.install(pl, new ZtFrameHandler.Listener() {
            @Override
            public void onFrame(ChannelHandlerContext ctx, Frame frame) {
              if (frame instanceof Frame.Welcome) {
                welcome.countDown();
              } else if (frame instanceof Frame.Sent || frame instanceof Frame.Error) {
                answered.countDown();
              }
            }
          })).sync().channel();
      welcome.await(30, TimeUnit.SECONDS);
      for (int i = 0; i < users.size(); i++) {
        ch.write(Unpooled.wrappedBuffer(ZtFrameHandler.framed(FrameCodec.encode(
            new Frame.Send(null, env.envelope(i, users.get(i).name()))))));
      }
      ch.flush();
      answered.await(60, TimeUnit.SECONDS);
      ch.close();
    }
  }

  private static double peer(BenchOptions o, String which, BenchPki pki, List<UserIdentity> users, long timeout)
      throws Exception {
    if (PeerProcess.find(which).isEmpty()) {
      o.say("  %s", Peers.missing(which));
      return Double.NaN;
    }
    boolean mosq = which.equals("mosquitto");
    try (PeerProcess peer = mosq ? Peers.mosquitto(pki) : Peers.nginx(pki, 1); CapacityLoad load = new CapacityLoad()) {
      Thread.sleep(500);
      long rss0 = peer.rssBytes();
      int connected = load.open(mosq ? peer.port() : peer.secondPort(), pki.caCertificate(), users,
          mosq ? CapacityLoad.Kind.MQTT : CapacityLoad.Kind.TLS, timeout);
      Thread.sleep(2000);
      long rss1 = peer.rssBytes();
      o.say("  %s: %,d connected, RSS %,d → %,d KiB, %,d still open", which, connected, rss0 / 1024, rss1 / 1024, load.open());
      return (rss1 - rss0) / (double) Math.max(1, connected);
    }
  }
}
