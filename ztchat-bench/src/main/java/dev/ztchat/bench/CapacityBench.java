package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.testkit.Polling;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Figure 4: many idle authenticated connections (10,000; each user its own certificate), then one
 * message to each; the relay runs as its own process so its memory can be read. Each peer
 * (Mosquitto, nginx) is started fresh and holds the same number of mTLS connections.
 *
 * <p>Memory per connection, fairly: a JVM keeps whatever heap it once committed, so the relay runs
 * with a fixed, pre-touched heap ({@code -Xms} = {@code -Xmx}, {@code -XX:+AlwaysPreTouch}): its
 * RSS then grows only by what lives outside the heap (Netty's direct buffers, thread stacks,
 * BoringSSL's own mallocs), and the heap's share is read as heap in use after a full GC. The
 * baseline is taken after the directory is loaded, {@link #WARM_UP} connections were opened and
 * closed (every server gets the same warm-up), and a GC. Ours per connection is the sum of the two;
 * a peer's is its RSS growth. Native Memory Tracking shows where the non-heap part goes (except
 * BoringSSL's mallocs, which only RSS sees).
 */
final class CapacityBench implements Benchmark {
  /** Connections opened and closed before the baseline. */
  static final int WARM_UP = 200;

  @Override
  public String name() {
    return "capacity";
  }

  @Override
  public String description() {
    return "10,000 idle mTLS connections, then one message to each; memory per connection vs"
        + " Mosquitto and nginx";
  }

  /**
   * What the relay process reported: heap in use after GC and NMT's committed bytes by category.
   */
  private record RelayStats(long heap, Map<String, Long> nmt, long rss) {}

  /** The relay's run: memory before and after the connections, and what happened to them. */
  private record Ours(
      RelayStats before,
      RelayStats after,
      int connected,
      int dropped,
      int delivered,
      String heapSize) {
    double perConn(long bytes) {
      return bytes / (double) Math.max(1, connected);
    }

    long rssGrowth() {
      return after.rss - before.rss;
    }

    long heapGrowth() {
      return after.heap - before.heap;
    }

    long nativeGrowth() {
      return NativeMemory.outsideHeap(after.nmt) - NativeMemory.outsideHeap(before.nmt);
    }

    /** The NMT categories that grew most, per connection, for the note. */
    String nativeBreakdown() {
      return after.nmt.entrySet().stream()
          .filter(
              e -> !e.getKey().equals(NativeMemory.TOTAL) && !e.getKey().equals(NativeMemory.HEAP))
          .map(e -> Map.entry(e.getKey(), e.getValue() - before.nmt.getOrDefault(e.getKey(), 0L)))
          .filter(e -> e.getValue() > 0)
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(4)
          .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), perConn(e.getValue()) / 1024))
          .collect(Collectors.joining(", "));
    }
  }

  /** A peer's run: RSS growth per connection and RSS with every connection open. */
  private record PeerMemory(double perConn, double total) {
    static final PeerMemory NONE = new PeerMemory(Double.NaN, Double.NaN);
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
    Ours ours = ztchat(o, pki, users, sender, timeout);
    PeerMemory mosq = PeerMemory.NONE;
    PeerMemory nginx = PeerMemory.NONE;
    String why = o.peers() ? "" : "; peers disabled";
    if (o.peers()) {
      mosq = peer(o, "mosquitto", pki, users, timeout);
      nginx = peer(o, "nginx", pki, users, timeout);
      if (Double.isNaN(mosq.perConn()) || Double.isNaN(nginx.perConn())) {
        why = "; a peer could not run (see the log)";
      }
    }
    double heap = ours.perConn(ours.heapGrowth()) / 1024;
    double rss = ours.perConn(ours.rssGrowth()) / 1024;
    double nmt = ours.perConn(ours.nativeGrowth()) / 1024;
    double mem = heap + rss;
    String counts =
        String.format(
            Locale.ROOT,
            "%,d of %,d connected, %,d dropped, %,d of %,d messages delivered",
            ours.connected(),
            n,
            ours.dropped(),
            ours.delivered(),
            n);
    List<Figure> out = new ArrayList<>();
    out.add(
        new Figure(
            "capacity",
            "memory per idle connection, KiB",
            mem,
            "Mosquitto (RSS growth)",
            kib(mosq.perConn()),
            false,
            1.0,
            String.format(
                    Locale.ROOT,
                    "ztchat: Java heap in use after GC (%.2f) + RSS growth outside its fixed,"
                        + " pre-touched heap (%.2f); peer: RSS growth; %s",
                    heap,
                    rss,
                    counts)
                + why));
    out.add(
        new Figure(
            "capacity",
            "memory per idle connection, KiB",
            mem,
            "nginx (http, mTLS; RSS growth)",
            kib(nginx.perConn()),
            false,
            Double.NaN,
            "for information"));
    out.add(
        new Figure(
            "capacity",
            "RSS growth per idle connection, KiB",
            rss,
            "Mosquitto",
            kib(mosq.perConn()),
            false,
            Double.NaN,
            "for information: the relay's heap is fixed at "
                + ours.heapSize()
                + " and pre-touched, so its "
                + "growth is not in this row"));
    out.add(
        Figure.info(
            "capacity",
            "Java heap in use after GC per connection, KiB",
            heap,
            "after a full GC, before and after"));
    out.add(
        Figure.info(
            "capacity",
            "native memory (NMT) per connection, KiB",
            nmt,
            "committed outside the Java heap; "
                + (ours.nativeBreakdown().isEmpty()
                    ? "NMT unavailable"
                    : "largest: " + ours.nativeBreakdown())
                + "; BoringSSL's own mallocs are not tracked by NMT (only RSS sees them)"));
    double total = ours.after().rss() / 1048576.0;
    out.add(
        new Figure(
            "capacity",
            "RSS with all connections open, MiB",
            total,
            "Mosquitto",
            mosq.total() / 1048576.0,
            false,
            Double.NaN,
            "for information: includes the relay's whole "
                + ours.heapSize()
                + " heap (pre-touched) and the "
                + "directory of "
                + String.format(Locale.ROOT, "%,d", n)
                + " users"));
    out.add(
        new Figure(
            "capacity",
            "RSS with all connections open, MiB",
            total,
            "nginx (http, mTLS)",
            nginx.total() / 1048576.0,
            false,
            Double.NaN,
            "for information"));
    out.add(
        new Figure(
            "capacity",
            "connections dropped",
            ours.dropped(),
            "-",
            Double.NaN,
            false,
            Double.NaN,
            ours.dropped() == 0 ? "target 0: met" : "target 0: MISSED"));
    out.add(
        Figure.info(
            "capacity",
            "messages delivered, one to each connection",
            ours.delivered(),
            String.format(Locale.ROOT, "of %,d%s", n, ours.delivered() == n ? "" : ": MISSED")));
    return out;
  }

  private static double kib(double bytes) {
    return bytes / 1024;
  }

  private static Ours ztchat(
      BenchOptions o, BenchPki pki, List<UserIdentity> users, UserIdentity sender, long timeout)
      throws Exception {
    String javaExe = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String heapSize = o.pick(512, 128) + "m";
    Process p =
        new ProcessBuilder(
                javaExe,
                "--enable-native-access=ALL-UNNAMED",
                "-Xms" + heapSize,
                "-Xmx" + heapSize,
                "-XX:+AlwaysPreTouch",
                "-XX:NativeMemoryTracking=summary",
                "-cp",
                System.getProperty("java.class.path"),
                RelayMain.class.getName(),
                pki.layout().root().toString(),
                pki.newFolder("capacity-data-").toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader in =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        PrintStream cmd = new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8);
        CapacityLoad load = new CapacityLoad()) {
      int port = (int) tagged(in, "PORT ");
      warmUp(o, port, pki, users, CapacityLoad.Kind.ZTCHAT, timeout);
      RelayStats before = stats(cmd, in, p);
      long t0 = System.nanoTime();
      int connected =
          load.open(port, pki.caCertificate(), users, CapacityLoad.Kind.ZTCHAT, timeout);
      o.say("  ztchat: %,d connected in %.1f s", connected, (System.nanoTime() - t0) / 1e9);
      Thread.sleep(2000);
      RelayStats after = stats(cmd, in, p);
      int n = users.size();
      send(port, pki, sender, users);
      Polling.eventually(Duration.ofSeconds(o.pick(60, 10)), () -> load.delivered.get() >= n);
      int open = load.open();
      o.say(
          "  ztchat (heap fixed at %s): RSS %,d → %,d KiB, heap in use %,d → %,d KiB, NMT outside"
              + " heap %,d → %,d KiB, %,d delivered, %,d still open",
          heapSize,
          before.rss() / 1024,
          after.rss() / 1024,
          before.heap() / 1024,
          after.heap() / 1024,
          NativeMemory.outsideHeap(before.nmt()) / 1024,
          NativeMemory.outsideHeap(after.nmt()) / 1024,
          load.delivered.get(),
          open);
      return new Ours(
          before, after, connected, n - open, load.delivered.get(), heapSize.replace("m", " MiB"));
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /**
   * Opens and closes a few connections before the baseline, the same for every server, so that
   * one-time costs (for the JVM: loading and compiling the connection code) are not counted per
   * connection.
   */
  private static void warmUp(
      BenchOptions o,
      int port,
      BenchPki pki,
      List<UserIdentity> users,
      CapacityLoad.Kind kind,
      long timeout)
      throws Exception {
    try (CapacityLoad w = new CapacityLoad()) {
      w.open(
          port,
          pki.caCertificate(),
          users.subList(0, Math.min(users.size(), o.pick(WARM_UP, 10))),
          kind,
          timeout);
    }
    Thread.sleep(o.pick(2000, 500));
  }

  /** Asks the relay for its memory after a full GC, then reads its RSS. */
  private static RelayStats stats(PrintStream cmd, BufferedReader in, Process p)
      throws IOException {
    cmd.println("stats");
    long heap = tagged(in, "HEAP ");
    Map<String, Long> nmt = new LinkedHashMap<>();
    for (String line; (line = in.readLine()) != null && !line.equals("END"); ) {
      if (line.startsWith("NMT ")) {
        String[] f = line.split(" ", 3);
        nmt.put(f[2], Long.parseLong(f[1]));
      }
    }
    return new RelayStats(heap, nmt, PeerProcess.rssOf(p.pid()));
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
  private static void send(int port, BenchPki pki, UserIdentity sender, List<UserIdentity> users)
      throws Exception {
    Envelopes env = new Envelopes(sender, users.get(0));
    CountDownLatch answered = new CountDownLatch(users.size());
    CountDownLatch welcome = new CountDownLatch(1);
    try (Dialer d = new Dialer(1)) {
      Channel ch =
          d.dial(
                  port,
                  Dialer.clientContext(sender.signing(), pki.caCertificate()),
                  pl ->
                      ZtFrameHandler.install(
                          pl,
                          new ZtFrameHandler.Listener() {
                            @Override
                            public void onFrame(ChannelHandlerContext ctx, Frame frame) {
                              if (frame instanceof Frame.Welcome) {
                                welcome.countDown();
                              } else if (frame instanceof Frame.Sent
                                  || frame instanceof Frame.Error) {
                                answered.countDown();
                              }
                            }
                          }))
              .sync()
              .channel();
      welcome.await(30, TimeUnit.SECONDS);
      for (int i = 0; i < users.size(); i++) {
        ch.write(
            Unpooled.wrappedBuffer(
                ZtFrameHandler.framed(
                    FrameCodec.encode(
                        new Frame.Send(null, env.envelope(i, users.get(i).name()))))));
      }
      ch.flush();
      answered.await(60, TimeUnit.SECONDS);
      ch.close();
    }
  }

  private static PeerMemory peer(
      BenchOptions o, String which, BenchPki pki, List<UserIdentity> users, long timeout)
      throws Exception {
    if (PeerProcess.find(which).isEmpty()) {
      o.say("  %s", Peers.missing(which));
      return PeerMemory.NONE;
    }
    boolean mosq = which.equals("mosquitto");
    try (PeerProcess peer = mosq ? Peers.mosquitto(pki) : Peers.nginx(pki, 1);
        CapacityLoad load = new CapacityLoad()) {
      warmUp(
          o,
          mosq ? peer.port() : peer.secondPort(),
          pki,
          users,
          mosq ? CapacityLoad.Kind.MQTT : CapacityLoad.Kind.TLS,
          timeout);
      long rss0 = peer.rssBytes();
      int connected =
          load.open(
              mosq ? peer.port() : peer.secondPort(),
              pki.caCertificate(),
              users,
              mosq ? CapacityLoad.Kind.MQTT : CapacityLoad.Kind.TLS,
              timeout);
      Thread.sleep(2000);
      long rss1 = peer.rssBytes();
      o.say(
          "  %s: %,d connected, RSS %,d → %,d KiB, %,d still open",
          which, connected, rss0 / 1024, rss1 / 1024, load.open());
      return new PeerMemory((rss1 - rss0) / (double) Math.max(1, connected), rss1);
    }
  }
}
