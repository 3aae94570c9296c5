package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.store.PostgresUrl;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
 * <p>The same on PostgreSQL (issue 17 item 7): the relay's store is a fresh database of the bench's
 * throw-away PostgreSQL ({@link BenchPostgres}), and the peer is the same rows inserted straight
 * into another fresh database of the same server, as the SQLite floor is: one INSERT per row, a
 * commit per {@link #BATCH} rows, the relay's table and indexes, the server's durability settings
 * ({@code synchronous_commit=on}). Version 2 only; without peers or without PostgreSQL the rows say
 * why they were skipped.
 *
 * <p>{@code -Dztchat.bench.store.count=N} (through {@code ZTCHAT_JAVA_OPTS}) runs it with N
 * envelopes, for quick before/after comparisons; {@code -Dztchat.bench.store.postgres=false} leaves
 * PostgreSQL out, {@code -Dztchat.bench.store.sqlite=false} SQLite.
 */
final class StoreBench implements Benchmark {
  /** The relay's group-commit size (DeliveryService.MAX_BATCH). */
  private static final int BATCH = 512;

  private static final String ENQUEUE = "enqueue envelopes/s (over mTLS, durable)";
  private static final String BOTH = "enqueue+drain envelopes/s";
  private static final String ON_POSTGRES = ", on PostgreSQL";
  private static final String RAW_SQLITE = "raw SQLite batched inserts";
  private static final String RAW_POSTGRES = "raw PostgreSQL batched inserts";

  @Override
  public String name() {
    return "store";
  }

  @Override
  public String description() {
    return "enqueue then drain 100,000 envelopes for an offline user (version 2, binary frames;"
        + " version 1 for information), vs raw batched SQLite inserts; the same on PostgreSQL"
        + " vs raw batched PostgreSQL inserts";
  }

  @Override
  public List<Figure> run(BenchOptions o, BenchPki pki) throws Exception {
    int n = Integer.getInteger("ztchat.bench.store.count", o.pick(100_000, 1_000));
    List<Figure> out = new ArrayList<>();
    if (Boolean.parseBoolean(System.getProperty("ztchat.bench.store.sqlite", "true"))) {
      out.addAll(measure(o, pki, Wire.v2(pki), n, null, true));
      out.addAll(measure(o, pki, Wire.v1(), n, null, false));
    }
    out.addAll(onPostgres(o, pki, n));
    return out;
  }

  /** The version-2 rows on PostgreSQL, or the same rows saying why they were skipped. */
  private static List<Figure> onPostgres(BenchOptions o, BenchPki pki, int n) throws Exception {
    String skipped;
    if (!o.peers()) {
      skipped = "peers disabled: PostgreSQL not started";
    } else if (!Boolean.parseBoolean(System.getProperty("ztchat.bench.store.postgres", "true"))) {
      skipped = "PostgreSQL left out (ztchat.bench.store.postgres=false)";
    } else {
      try (BenchPostgres pg = BenchPostgres.start(pki)) {
        return measure(o, pki, Wire.v2(pki), n, pg, true);
      } catch (BenchPostgres.SkippedException e) {
        skipped = "PostgreSQL could not be started (" + e.getMessage() + ")";
      }
    }
    o.say("store on PostgreSQL: %s", skipped);
    String note = skipped + "; " + Wire.v2(pki).label();
    return List.of(
        new Figure(
            "store", ENQUEUE + ON_POSTGRES, Double.NaN, RAW_POSTGRES, Double.NaN, true, 0.5, note),
        new Figure(
            "store", BOTH + ON_POSTGRES, Double.NaN, RAW_POSTGRES, Double.NaN, true, 0.5, note));
  }

  /**
   * One enqueue-then-drain run in {@code wire}'s format and the raw inserts of the same envelope
   * bytes, on SQLite ({@code pg} null) or on a fresh database of {@code pg}; {@code headline}: the
   * target rows, else rows for information named after the format.
   */
  private static List<Figure> measure(
      BenchOptions o, BenchPki pki, Wire wire, int n, BenchPostgres pg, boolean headline)
      throws Exception {
    UserIdentity sender = pki.user("alice0");
    UserIdentity recipient = pki.user("bob0");
    String where = pg == null ? "" : " on PostgreSQL";
    o.say(
        "store: ztchat%s, %,d envelopes to an offline user, then drained; %s",
        where, n, wire.label());
    ZtRelayLoad.Result r;
    long cpu;
    long storeCpu;
    StoreCounters work;
    RelayServerConfig config = InProcessRelay.config(pki);
    if (pg != null) {
      config = config.withQueue(config.queue().withStore(pg.newDatabase()));
    }
    try (RelayServer relay = RelayServer.start(config)) {
      cpu = -workersCpuNanos();
      storeCpu = -storeThreadCpuNanos();
      StoreCounters before = StoreCounters.of(relay.meters());
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
      work = StoreCounters.of(relay.meters()).minus(before);
    }
    double enqueue = r.accepted() / (r.enqueueNanos() / 1e9);
    double drain = r.latencies().receivedCount() / (r.drainNanos() / 1e9);
    o.say(
        "  ztchat: %,d accepted at %,.0f/s, %,d drained at %,.0f/s (%,d in binary frames); %.0f µs"
            + " of CPU per envelope (relay and clients, enqueue and drain), of which the relay's"
            + " store thread %.0f µs (busy %.0f%% of the run); %.1f store transactions per 1,000"
            + " envelopes",
        r.accepted(),
        enqueue,
        r.latencies().receivedCount(),
        drain,
        r.binaryDeliveries(),
        cpu / 1e3 / n,
        storeCpu / 1e3 / n,
        100.0 * storeCpu / (r.enqueueNanos() + r.drainNanos()),
        1000.0 * work.transactions() / n);
    LongFunction<byte[]> envelopes = wire.envelopes(sender, recipient);
    double raw =
        pg == null
            ? rawInserts(pki.newFolder("raw-sqlite-"), envelopes, n)
            : rawInserts(pg.newDatabase(), envelopes, n);
    String peer = pg == null ? RAW_SQLITE : RAW_POSTGRES;
    o.say("  %s, the same envelopes: %,.0f inserts/s", peer, raw);
    String note =
        String.format(
            Locale.ROOT,
            "%,d of %,d accepted, %,d drained; %s",
            r.accepted(),
            n,
            r.latencies().receivedCount(),
            wire.label());
    double both = r.latencies().receivedCount() / ((r.enqueueNanos() + r.drainNanos()) / 1e9);
    String suffix = (headline ? "" : ", " + wire.label()) + where.replace(" on", ", on");
    double target = headline ? 0.5 : Double.NaN;
    return List.of(
        new Figure("store", ENQUEUE + suffix, enqueue, peer, raw, true, target, note),
        new Figure(
            "store",
            BOTH + suffix,
            both,
            peer,
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
    byte[][] rows = rows(envelopes, n);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("raw.db"))) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute(
            "CREATE TABLE queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL,"
                + " sender TEXT NOT NULL, message_id TEXT NOT NULL, envelope BLOB NOT NULL, size"
                + " INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
                + " UNIQUE (recipient, sender, message_id))");
      }
      return timedInserts(c, rows);
    }
  }

  /**
   * As {@link #rawInserts(Path, LongFunction, int)} into the empty PostgreSQL database {@code
   * storeUrl} (a {@code --store} URL), with the relay's queue table as its first schema made it.
   */
  static double rawInserts(String storeUrl, LongFunction<byte[]> envelopes, int n)
      throws Exception {
    byte[][] rows = rows(envelopes, n);
    PostgresUrl url = PostgresUrl.parse(storeUrl);
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
      try (Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE queue (seq BIGSERIAL PRIMARY KEY, recipient TEXT NOT NULL, sender TEXT"
                + " NOT NULL, message_id TEXT NOT NULL, envelope BYTEA NOT NULL, size INTEGER NOT"
                + " NULL, enqueued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, UNIQUE"
                + " (recipient, sender, message_id))");
      }
      return timedInserts(c, rows);
    }
  }

  private static byte[][] rows(LongFunction<byte[]> envelopes, int n) {
    byte[][] rows = new byte[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = envelopes.apply(i);
    }
    return rows;
  }

  /**
   * Adds the queue's indexes to the table {@code c} just made, then inserts {@code rows} one
   * statement each, committing every {@link #BATCH}; returns rows per second.
   */
  private static double timedInserts(Connection c, byte[][] rows) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE INDEX queue_by_recipient ON queue (recipient, seq)");
      s.execute("CREATE INDEX queue_by_expiry ON queue (expires_at)");
    }
    c.setAutoCommit(false);
    int n = rows.length;
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
