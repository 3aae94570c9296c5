package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.server.RelayServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * Figure 5: the offline store. A sender sends N envelopes through the relay to a user who is
 * offline (each committed before "sent"), then the user connects and drains them, acknowledging
 * each. The peer is the floor: the same rows inserted straight into SQLite from this JVM, in
 * batches of the relay's group-commit size, with the relay's schema and durability settings. The
 * target rows use version-2 envelopes in binary frames (what version-2 peers use by default, {@link
 * Wire#v2}); the same run with version-1 envelopes in JSON frames follows, for information, so the
 * figures stay comparable with earlier runs.
 *
 * <p>{@code -Dztchat.bench.store.count=N} (through {@code ZTCHAT_JAVA_OPTS}) runs it with N
 * envelopes, for quick before/after comparisons.
 */
final class StoreBench implements Benchmark {
  /** The relay's group-commit size (DeliveryService.MAX_BATCH). */
  private static final int BATCH = 512;

  @Override
  public String name() {
    return "store";
  }

  @Override
  public String description() {
    return "enqueue then drain 100,000 envelopes for an offline user (version 2, binary frames;"
        + " version 1 for information), vs raw batched SQLite inserts";
  }

  @Override
  public List<Figure> run(BenchOptions o, BenchPki pki) throws Exception {
    int n = Integer.getInteger("ztchat.bench.store.count", o.pick(100_000, 1_000));
    List<Figure> out = new ArrayList<>(measure(o, pki, Wire.v2(pki), n, true));
    out.addAll(measure(o, pki, Wire.v1(), n, false));
    return out;
  }

  /**
   * One enqueue-then-drain run in {@code wire}'s format and the raw inserts of the same envelope
   * bytes; {@code headline}: the target rows, else rows for information named after the format.
   */
  private static List<Figure> measure(
      BenchOptions o, BenchPki pki, Wire wire, int n, boolean headline) throws Exception {
    UserIdentity sender = pki.user("alice0");
    UserIdentity recipient = pki.user("bob0");
    o.say("store: ztchat, %,d envelopes to an offline user, then drained; %s", n, wire.label());
    ZtRelayLoad.Result r;
    long cpu;
    long storeCpu;
    try (RelayServer relay = InProcessRelay.start(pki)) {
      cpu = -workersCpuNanos();
      storeCpu = -storeThreadCpuNanos();
      r =
          ZtRelayLoad.run(
              relay.port(),
              pki.caCertificate(),
              wire,
              List.<UserIdentity[]>of(new UserIdentity[] {sender, recipient}),
              n,
              true,
              o.pick(Duration.ofSeconds(300), Duration.ofSeconds(20)));
      cpu += workersCpuNanos();
      storeCpu += storeThreadCpuNanos();
    }
    double enqueue = r.accepted() / (r.enqueueNanos() / 1e9);
    double drain = r.latencies().receivedCount() / (r.drainNanos() / 1e9);
    o.say(
        "  ztchat: %,d accepted at %,.0f/s, %,d drained at %,.0f/s (%,d in binary frames); %.0f µs"
            + " of CPU per envelope (relay and clients, enqueue and drain), of which the relay's"
            + " store thread %.0f µs (busy %.0f%% of the run)",
        r.accepted(),
        enqueue,
        r.latencies().receivedCount(),
        drain,
        r.binaryDeliveries(),
        cpu / 1e3 / n,
        storeCpu / 1e3 / n,
        100.0 * storeCpu / (r.enqueueNanos() + r.drainNanos()));
    double raw = rawInserts(pki.newFolder("raw-sqlite-"), wire.envelopes(sender, recipient), n);
    o.say("  raw SQLite, the same envelopes: %,.0f inserts/s", raw);
    String note =
        String.format(
            Locale.ROOT,
            "%,d of %,d accepted, %,d drained; %s",
            r.accepted(),
            n,
            r.latencies().receivedCount(),
            wire.label());
    double both = r.latencies().receivedCount() / ((r.enqueueNanos() + r.drainNanos()) / 1e9);
    String suffix = headline ? "" : ", " + wire.label();
    double target = headline ? 0.5 : Double.NaN;
    return List.of(
        new Figure(
            "store",
            "enqueue envelopes/s (over mTLS, durable)" + suffix,
            enqueue,
            "raw SQLite batched inserts",
            raw,
            true,
            target,
            note),
        new Figure(
            "store",
            "enqueue+drain envelopes/s" + suffix,
            both,
            "raw SQLite batched inserts",
            raw,
            true,
            target,
            "drain alone " + Figure.num(drain) + "/s; " + wire.label()));
  }

  /**
   * CPU time of this process so far, less this thread's (which seals the envelopes up front): the
   * relay's and the load clients' work. On a shared machine it moves far less than the rates do.
   */
  private static long workersCpuNanos() {
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() - ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  /**
   * CPU time so far of the relay's store thread (the one SQLite writer: every INSERT, DELETE and
   * commit), 0 when there is none yet.
   */
  private static long storeThreadCpuNanos() {
    var threads = ManagementFactory.getThreadMXBean();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("ztchat-store"))
        .mapToLong(t -> Math.max(0, threads.getThreadCpuTime(t.threadId())))
        .sum();
  }

  /**
   * Inserts {@code n} envelopes (number {@code i} is {@code envelopes.apply(i)}) in transactions of
   * {@link #BATCH}; returns rows per second.
   */
  static double rawInserts(Path dir, LongFunction<byte[]> envelopes, int n) throws Exception {
    byte[][] rows = new byte[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = envelopes.apply(i);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("raw.db"))) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute(
            "CREATE TABLE queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL,"
                + " sender TEXT NOT NULL, message_id TEXT NOT NULL, envelope BLOB NOT NULL, size"
                + " INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
                + " UNIQUE (recipient, sender, message_id))");
        s.execute("CREATE INDEX queue_by_recipient ON queue (recipient, seq)");
        s.execute("CREATE INDEX queue_by_expiry ON queue (expires_at)");
      }
      c.setAutoCommit(false);
      long start = System.nanoTime();
      try (PreparedStatement ins =
          c.prepareStatement(
              "INSERT INTO queue (recipient, sender, message_id, envelope, size,"
                  + " enqueued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < n; i++) {
          long now = System.currentTimeMillis();
          ins.setString(1, "bob0");
          ins.setString(2, "alice0");
          ins.setString(3, String.format(Locale.ROOT, "%032x", i));
          ins.setBytes(4, rows[i]);
          ins.setInt(5, rows[i].length);
          ins.setLong(6, now);
          ins.setLong(7, now + 86_400_000L);
          ins.executeUpdate();
          if ((i + 1) % BATCH == 0 || i == n - 1) {
            c.commit();
          }
        }
      }
      return n / ((System.nanoTime() - start) / 1e9);
    }
  }
}
