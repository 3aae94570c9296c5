package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The relay's {@link OfflineQueue} in a PostgreSQL database ({@code --store postgresql://...}),
 * reached through a HikariCP pool of pgjdbc connections. It keeps the same promises as {@link
 * SqliteOfflineQueue} (checked by the same contract tests); what differs is how:
 *
 * <ul>
 *   <li>Schema: created or migrated at start, in one transaction under an advisory lock (so relays
 *       starting together do not race), its version in table {@code ztchat_schema}; a newer schema
 *       is refused.
 *   <li>Order: {@code seq} comes from a sequence. An enqueue first takes a transaction-scoped
 *       advisory lock per recipient (in name order, so concurrent writers wait and never deadlock),
 *       so for one recipient the order of {@code seq} is the order of commits, and a reader paging
 *       by {@code seq} never skips a copy committed late. Different recipients never wait for each
 *       other.
 *   <li>Quotas: counted from the table under the recipient's lock, and the count kept in memory
 *       only while the recipient's newest copy is still the one it was made with ({@link
 *       KnownUsage}), so they hold whichever node writes and an enqueue does not count the whole
 *       queue.
 *   <li>An acknowledgement locks the envelope's row ({@code FOR UPDATE}) so that two devices
 *       acknowledging at once cannot both leave it behind.
 *   <li>Expired envelopes are deleted a thousand at a time, each batch its own short transaction.
 *   <li>Several relay nodes may share the database: each stored copy sends a {@code NOTIFY} with
 *       its recipient in the storing transaction, and {@link #listenForOtherNodes} hears other
 *       nodes' ({@link PostgresCommitNotices}); a newly registered device does the same on a
 *       channel of its own ({@link #listenForDevicesOfOtherNodes}).
 * </ul>
 *
 * <p>Envelopes are stored as the opaque bytes the relay received ({@code bytea}), once per enqueue
 * whatever the number of its recipients on this database ({@link SharedBody}: in the row of a
 * single recipient, else in {@code bodies}); nothing in them is readable by the relay or the
 * database.
 *
 * <p>Thread-safe: each call (or {@link #transaction}) takes its own pooled connection; calls made
 * inside a transaction on the same thread join it.
 */
public final class PostgresOfflineQueue implements OfflineQueue {
  static final int SCHEMA_VERSION = 7;

  /** The advisory lock key held while migrating (any constant; "ztchat" in ASCII). */
  private static final long MIGRATION_LOCK = 0x7a7463686174L;

  private final HikariDataSource pool;
  private final PostgresUrl url;
  private final Clock clock;
  private final QueueLimits limits;
  private final ContactBook contacts;
  private final PostgresCommitNotices notices;
  private final PostgresCommitNotices deviceNotices;
  private final PostgresReachability reachability;

  /** Each recipient's usage as last counted here, for the quotas ({@link KnownUsage}). */
  private final KnownUsage known = new KnownUsage();

  /**
   * Whether an enqueue records its sender among the recipient's contacts here; not on a shard of
   * several, whose contacts are kept by the home database ({@link ShardedOfflineQueue}).
   */
  private final boolean keepsContacts;

  /**
   * The open transaction's connection, per thread. Per instance, not static: two queues (two
   * databases, or a test's two relays) on one thread must not join each other's transactions.
   */
  @SuppressWarnings("ThreadLocalUsage")
  private final ThreadLocal<Connection> current = new ThreadLocal<>();

  /**
   * Per open transaction on this thread, the recipients whose lock it holds already and those it
   * has announced to other nodes already: a batch of many envelopes for one recipient takes the
   * lock and sends the notice once, not once per envelope (a second lock in the same transaction is
   * held until its end all the same, as no savepoint is ever rolled back to, and PostgreSQL
   * delivers the same notice once per transaction anyway).
   */
  @SuppressWarnings("ThreadLocalUsage")
  private final ThreadLocal<Held> held = new ThreadLocal<>();

  /** What the open transaction holds: see {@link #held}. */
  private record Held(Set<String> locked, Set<String> announced) {
    Held() {
      this(new HashSet<>(), new HashSet<>());
    }
  }

  private PostgresOfflineQueue(
      HikariDataSource pool,
      PostgresUrl url,
      Clock clock,
      QueueLimits limits,
      PostgresCommitNotices notices,
      PostgresCommitNotices deviceNotices,
      PostgresReachability reachability,
      boolean keepsContacts) {
    this.pool = pool;
    this.keepsContacts = keepsContacts;
    this.url = url;
    this.reachability = reachability;
    this.notices = notices;
    this.deviceNotices = deviceNotices;
    this.clock = clock;
    this.limits = limits;
    this.contacts = new ContactBook(this::loadContacts, this::writeContact);
  }

  /**
   * Connects to {@code url}, creating or migrating the schema; fails at once (naming the database,
   * never the password) when the database cannot be reached.
   */
  public static PostgresOfflineQueue open(PostgresUrl url, QueueLimits limits, Clock clock)
      throws IOException {
    return open(url, limits, clock, true);
  }

  /**
   * As {@link #open(PostgresUrl, QueueLimits, Clock)}; {@code keepsContacts} false for a shard of
   * several, whose enqueues leave the contacts to the home database.
   */
  static PostgresOfflineQueue open(
      PostgresUrl url, QueueLimits limits, Clock clock, boolean keepsContacts) throws IOException {
    requireNonNull(url, "url");
    requireNonNull(limits, "limits");
    requireNonNull(clock, "clock");
    HikariDataSource pool = PostgresPool.open(url, "ztchat-store", url.poolSize());
    try {
      migrate(pool);
      return new PostgresOfflineQueue(
          pool,
          url,
          clock,
          limits,
          new PostgresCommitNotices(url, PostgresCommitNotices.QUEUE_CHANNEL),
          new PostgresCommitNotices(url, PostgresCommitNotices.DEVICES_CHANNEL),
          new PostgresReachability(url),
          keepsContacts);
    } catch (SQLException e) {
      pool.close();
      throw new IOException(
          "cannot set up the relay's PostgreSQL store " + url + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates or migrates every table of the relay's PostgreSQL store (the queue's, the prekeys', the
   * certificates' and the nodes' presence), in one transaction under an advisory lock, so relays
   * starting together do not race.
   */
  static void migrate(HikariDataSource pool) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
        s.execute("CREATE TABLE IF NOT EXISTS ztchat_schema (version INTEGER NOT NULL)");
        int from = 0;
        try (ResultSet rs = s.executeQuery("SELECT max(version) FROM ztchat_schema")) {
          if (rs.next()) {
            from = rs.getInt(1);
          }
        }
        if (from > SCHEMA_VERSION) {
          throw new SQLException(
              "the database was written by a newer ztchat (schema "
                  + from
                  + ", this one knows "
                  + SCHEMA_VERSION
                  + "); upgrade ztchat");
        }
        if (from < 1) {
          s.execute(
              "CREATE TABLE queue (seq BIGSERIAL PRIMARY KEY, recipient TEXT NOT NULL, sender"
                  + " TEXT NOT NULL, message_id TEXT NOT NULL, envelope BYTEA NOT NULL, size"
                  + " INTEGER NOT NULL, enqueued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
                  + " UNIQUE (recipient, sender, message_id))");
          s.execute("CREATE INDEX queue_by_recipient ON queue (recipient, seq)");
          s.execute("CREATE INDEX queue_by_expiry ON queue (expires_at)");
          s.execute(
              "CREATE TABLE queue_targets (seq BIGINT NOT NULL REFERENCES queue (seq) ON DELETE"
                  + " CASCADE, device TEXT NOT NULL, PRIMARY KEY (seq, device))");
          s.execute(
              "CREATE TABLE devices (owner TEXT NOT NULL, device TEXT NOT NULL, registered_at"
                  + " BIGINT NOT NULL, named BOOLEAN NOT NULL DEFAULT FALSE, PRIMARY KEY (owner,"
                  + " device))");
          s.execute(
              "CREATE TABLE contacts (owner TEXT NOT NULL, contact TEXT NOT NULL, PRIMARY KEY"
                  + " (owner, contact))");
        }
        if (from < 2) {
          PostgresPrekeyStore.createTables(s);
          PostgresPublishedCertificates.createTable(s);
        }
        if (from < 3) {
          PostgresPresence.createTables(s);
        }
        if (from < 4) {
          AddedSince.addColumn(s, "published_certificates");
          AddedSince.addColumn(s, "devices");
        }
        if (from < 5) {
          ShardRecord.createTable(s);
        }
        if (from < 6) {
          shareBodies(s);
        }
        if (from < 7) {
          bytesInTheRowOfOneRecipient(s);
        }
        s.execute("DELETE FROM ztchat_schema");
        s.execute("INSERT INTO ztchat_schema (version) VALUES (" + SCHEMA_VERSION + ")");
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Schema version 6: an envelope's bytes move to {@code bodies}, one row per enqueue that every
   * recipient's row on this database refers to; each envelope already queued gets a body of its own
   * (its id the row's {@code seq}), in the transaction of the migration.
   *
   * <p>A statement trigger deletes the bodies no row refers to any more after each DELETE on {@code
   * queue}, skipping any body another transaction holds locked: it never waits for a body, so two
   * relay nodes whose batches remove copies of the same group messages in opposite orders cannot
   * deadlock over them. Two transactions deleting the last two rows of one body at once (two
   * members acknowledging a group message on two nodes) each still see the other's row and leave
   * the body; {@link #purgeExpired(int)} deletes such loose bodies.
   */
  private static void shareBodies(Statement s) throws SQLException {
    s.execute("CREATE TABLE bodies (id BIGSERIAL PRIMARY KEY, envelope BYTEA NOT NULL)");
    s.execute("ALTER TABLE queue ADD COLUMN body BIGINT");
    s.execute("INSERT INTO bodies (id, envelope) SELECT seq, envelope FROM queue");
    s.execute("UPDATE queue SET body = seq");
    s.execute(
        "SELECT setval(pg_get_serial_sequence('bodies', 'id'), COALESCE((SELECT max(id) FROM"
            + " bodies), 0) + 1, false)");
    s.execute("ALTER TABLE queue ALTER COLUMN body SET NOT NULL");
    s.execute("ALTER TABLE queue DROP COLUMN envelope");
    s.execute("CREATE INDEX queue_by_body ON queue (body)");
    s.execute(
        "CREATE FUNCTION ztchat_bodies_gone() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " DELETE FROM bodies WHERE id IN (SELECT b.id FROM bodies b WHERE b.id IN (SELECT"
            + " body FROM gone) AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.body = b.id) FOR"
            + " UPDATE SKIP LOCKED); RETURN NULL; END $$");
    s.execute(
        "CREATE TRIGGER bodies_go_with_their_last_copy AFTER DELETE ON queue REFERENCING OLD"
            + " TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION ztchat_bodies_gone()");
  }

  /**
   * Schema version 7: the envelope of a single recipient keeps its bytes in its own row ({@code
   * envelope}, {@code body} 0), one row written and one deleted per direct message; the rows of
   * several recipients refer to a body as in version 6. The index on {@code body}, the trigger and
   * the loose-body purge leave such rows out. Nothing queued moves.
   */
  private static void bytesInTheRowOfOneRecipient(Statement s) throws SQLException {
    s.execute("ALTER TABLE queue ADD COLUMN envelope BYTEA");
    s.execute("DROP INDEX queue_by_body");
    s.execute("CREATE INDEX queue_by_body ON queue (body) WHERE body <> 0");
    s.execute(
        "CREATE OR REPLACE FUNCTION ztchat_bodies_gone() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN DELETE FROM bodies WHERE id IN (SELECT b.id FROM bodies b WHERE b.id IN"
            + " (SELECT body FROM gone WHERE body <> 0) AND NOT EXISTS (SELECT 1 FROM queue q"
            + " WHERE q.body = b.id AND q.body <> 0) FOR UPDATE SKIP LOCKED); RETURN NULL; END $$");
  }

  /** Work on one connection. */
  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException, IOException;
  }

  /** Runs {@code work} in the current transaction, or in one of its own. */
  private <T> T inTransaction(String what, SqlWork<T> work) throws IOException {
    Connection c = current.get();
    if (c != null) {
      try {
        return work.run(c);
      } catch (SQLException e) {
        throw new IOException(what + " failed: " + e.getMessage(), e);
      }
    }
    List<T> result = new ArrayList<>(1);
    transaction(
        () -> {
          try {
            result.add(work.run(current.get()));
          } catch (SQLException e) {
            throw new IOException(what + " failed: " + e.getMessage(), e);
          }
        });
    return result.getFirst();
  }

  @Override
  public void transaction(Work work) throws IOException {
    if (current.get() != null) {
      work.run();
      return;
    }
    begin();
    boolean committed = false;
    try {
      work.run();
      commit();
      committed = true;
    } finally {
      if (!committed) {
        rollback();
      }
    }
  }

  /**
   * Opens a transaction on this thread that every later call on this thread joins, until {@link
   * #commit} or {@link #rollback}; for {@link ShardedOfflineQueue}, which opens one on each shard a
   * batch touches, when it first touches it.
   */
  void begin() throws IOException {
    if (current.get() != null) {
      throw new IllegalStateException("a transaction is open on this thread already");
    }
    Connection c;
    try {
      c = pool.getConnection();
      c.setAutoCommit(false);
    } catch (SQLException e) {
      throw new IOException("the store is unavailable: " + e.getMessage(), e);
    }
    current.set(c);
    held.set(new Held());
  }

  /** What the transaction open on this thread holds ({@link #held}). */
  private Held held() {
    return requireNonNull(held.get(), "no transaction is open on this thread");
  }

  /** Commits the transaction {@link #begin} opened; on failure it is rolled back. */
  void commit() throws IOException {
    Connection c = requireNonNull(current.get(), "no transaction is open on this thread");
    try {
      c.commit();
    } catch (SQLException e) {
      rollback();
      throw new IOException("committing to the store failed: " + e.getMessage(), e);
    }
    release(c);
  }

  /** Rolls back the transaction {@link #begin} opened, if it is still open. */
  void rollback() {
    Connection c = current.get();
    if (c != null) {
      rollbackQuietly(c);
      contacts.forget(); // pairs noted inside the rolled-back transaction are read again
      release(c);
    }
  }

  private void release(Connection c) {
    current.remove();
    held.remove();
    try {
      c.setAutoCommit(true);
    } catch (SQLException ignored) {
      // the pool checks the connection before handing it out again
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // returned to the pool or dropped by it
    }
  }

  /** The database, for logs and errors (never its password). */
  PostgresUrl url() {
    return url;
  }

  /** A connection of this store's pool, outside any transaction (the caller closes it). */
  Connection connection() throws SQLException {
    return pool.getConnection();
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the original failure is what matters
    }
  }

  @Override
  public Map<String, EnqueueOutcome> enqueue(
      List<String> recipients,
      String sender,
      String messageId,
      long sealedAtMillis,
      byte[] envelope,
      Function<String, List<String>> targets,
      Consumer<QueuedEnvelope> stored,
      Quotas quotas)
      throws IOException {
    requireNonNull(stored, "stored");
    requireNonNull(targets, "targets");
    long now = clock.millis();
    long expiresAt = limits.expiresAt(sealedAtMillis, now);
    Map<String, EnqueueOutcome> out = new LinkedHashMap<>();
    SharedBody body = new SharedBody(envelope, recipients.size());
    inTransaction(
        "storing an envelope",
        c -> {
          if (expiresAt > now) {
            for (String r : new TreeSet<>(recipients)) {
              if (held().locked().add(r)) {
                lockRecipient(c, r);
              }
            }
          }
          for (String r : recipients) {
            if (expiresAt <= now) {
              out.put(r, EnqueueOutcome.EXPIRED);
              continue;
            }
            long[] seqAndAfter = enqueueOne(c, r, sender, messageId, body, now, expiresAt, quotas);
            long seq = seqAndAfter[0];
            EnqueueOutcome o = seq >= 0 ? EnqueueOutcome.STORED : REFUSED.get((int) -seq - 1);
            if (o == EnqueueOutcome.STORED) {
              body.referred();
              addTargets(c, seq, targets.apply(r));
              if (held().announced().add(r)) {
                notices.notifyCommitted(c, r);
              }
              stored.accept(
                  new QueuedEnvelope(seq, r, sender, messageId, envelope, seqAndAfter[1]));
            }
            out.put(r, o);
            if (o.held() && keepsContacts) {
              contacts.record(r, sender);
            }
          }
          body.removeIfUnreferred(id -> removeBody(c, id));
          return null;
        });
    return out;
  }

  /** What {@link #enqueueOne} answers as -1, -2 and -3. */
  private static final List<EnqueueOutcome> REFUSED =
      List.of(
          EnqueueOutcome.ALREADY_STORED,
          EnqueueOutcome.QUEUE_FULL,
          EnqueueOutcome.SENDER_SHARE_FULL);

  private static void lockRecipient(Connection c, String recipient) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 17))")) {
      p.setString(1, recipient);
      p.executeQuery().close();
    }
  }

  /**
   * Stores one copy; returns its seq, or -1 (already stored), -2 (queue full), -3 (share), with the
   * highest seq the recipient's queue held before it (another node may have stored that one).
   */
  private long[] enqueueOne(
      Connection c,
      String recipient,
      String sender,
      String messageId,
      SharedBody body,
      long now,
      long expiresAt,
      Quotas quotas)
      throws SQLException {
    int size = body.size();
    Usage looked = usage(c, recipient, now, false);
    long storedAfter = looked.newest();
    KnownUsage.Counts usage = looked.counts();
    boolean full = full(usage, size);
    boolean overShare = overShare(usage.of(sender), size);
    if ((full || overShare) && quotas.checked() && !looked.counted()) {
      // a count kept from before may be too high (copies removed since): refuse on a fresh one only
      usage = usage(c, recipient, now, true).counts();
      full = full(usage, size);
      overShare = overShare(usage.of(sender), size);
    }
    if ((full || overShare) && quotas.checked()) {
      // a retry of an envelope already stored is answered as stored, even with a full queue
      if (exists(c, recipient, sender, messageId)) {
        return new long[] {-1, storedAfter};
      }
      return new long[] {overShare ? -3 : -2, storedAfter};
    }
    long bodyId = body.id(envelope -> writeBody(c, envelope));
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO queue (recipient, sender, message_id, body, envelope, size,"
                + " enqueued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT"
                + " (recipient, sender, message_id) DO NOTHING RETURNING seq")) {
      ins.setString(1, recipient);
      ins.setString(2, sender);
      ins.setString(3, messageId);
      ins.setLong(4, bodyId);
      ins.setBytes(5, body.inRow());
      ins.setInt(6, size);
      ins.setLong(7, now);
      ins.setLong(8, expiresAt);
      try (ResultSet rs = ins.executeQuery()) {
        if (!rs.next()) {
          return new long[] {-1, storedAfter};
        }
        long seq = rs.getLong(1);
        KnownUsage.stored(usage, sender, size, seq);
        return new long[] {seq, storedAfter};
      }
    }
  }

  private boolean full(KnownUsage.Counts usage, int size) {
    return usage.count() + 1 > limits.maxMessagesPerRecipient()
        || usage.bytes() + size > limits.maxBytesPerRecipient();
  }

  private boolean overShare(long[] fromSender, int size) {
    return fromSender[0] + 1 > limits.maxMessagesPerSender()
        || fromSender[1] + size > limits.maxBytesPerSender();
  }

  /**
   * {@code recipient}'s usage: its newest unexpired copy's {@code seq} (0 for none), and the counts
   * kept here if that is still the newest they include, else ({@code recount} too) counted again
   * from the table and kept ({@link KnownUsage}).
   */
  private record Usage(long newest, KnownUsage.Counts counts, boolean counted) {}

  /**
   * Reads {@link Usage} in one round trip: the newest copy by one lookup in the index by recipient,
   * read backwards, and the count per sender only when the kept counts do not hold.
   */
  private Usage usage(Connection c, String recipient, long now, boolean recount)
      throws SQLException {
    KnownUsage.Counts kept = recount ? null : known.kept(recipient);
    long keptNewest = kept == null ? -1 : kept.newest();
    long newest = 0;
    Map<String, long[]> bySender = new HashMap<>();
    try (PreparedStatement q =
        c.prepareStatement(
            "WITH newest AS (SELECT COALESCE(MAX(seq), 0) AS seq FROM queue WHERE recipient = ?"
                + " AND expires_at > ?) SELECT newest.seq, s.sender, s.copies, s.bytes FROM newest"
                + " LEFT JOIN LATERAL (SELECT sender, COUNT(*) AS copies, COALESCE(SUM(size), 0)"
                + " AS bytes FROM queue WHERE recipient = ? AND expires_at > ? AND newest.seq <> ?"
                + " GROUP BY sender) s ON TRUE")) {
      q.setString(1, recipient);
      q.setLong(2, now);
      q.setString(3, recipient);
      q.setLong(4, now);
      q.setLong(5, keptNewest);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          newest = rs.getLong(1);
          String sender = rs.getString(2);
          if (sender != null) {
            bySender.put(sender, new long[] {rs.getLong(3), rs.getLong(4)});
          }
        }
      }
    }
    if (kept != null && newest == keptNewest) {
      return new Usage(newest, kept, false);
    }
    return new Usage(newest, known.counted(recipient, newest, bySender), true);
  }

  /** Writes an envelope's bytes; answers their id. */
  private static long writeBody(Connection c, byte[] envelope) throws SQLException {
    try (PreparedStatement ins =
        c.prepareStatement("INSERT INTO bodies (envelope) VALUES (?) RETURNING id")) {
      ins.setBytes(1, envelope);
      try (ResultSet rs = ins.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void removeBody(Connection c, long id) throws SQLException {
    try (PreparedStatement d = c.prepareStatement("DELETE FROM bodies WHERE id = ?")) {
      d.setLong(1, id);
      d.executeUpdate();
    }
  }

  private static void addTargets(Connection c, long seq, List<String> devices) throws SQLException {
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("an envelope needs at least one target");
    }
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO queue_targets (seq, device) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
      for (String d : devices) {
        ins.setLong(1, seq);
        ins.setString(2, d);
        ins.addBatch();
      }
      ins.executeBatch();
    }
  }

  private static boolean exists(Connection c, String recipient, String sender, String messageId)
      throws SQLException {
    try (PreparedStatement q =
        c.prepareStatement(
            "SELECT 1 FROM queue WHERE recipient = ? AND sender = ? AND message_id = ?")) {
      q.setString(1, recipient);
      q.setString(2, sender);
      q.setString(3, messageId);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Override
  public List<QueuedEnvelope> after(String recipient, String device, long afterSeq, int limit)
      throws IOException {
    requireNonNull(device, "device");
    long now = clock.millis();
    return inTransaction(
        "reading the queue",
        c -> {
          try (PreparedStatement q =
              c.prepareStatement(
                  "SELECT q.seq, q.sender, q.message_id, COALESCE(q.envelope, b.envelope) FROM"
                      + " queue q LEFT JOIN bodies b ON b.id = q.body WHERE q.recipient = ? AND"
                      + " q.seq > ? AND q.expires_at > ? AND (? = '*' OR EXISTS (SELECT 1 FROM"
                      + " queue_targets t WHERE t.seq = q.seq AND t.device IN (?, '*'))) ORDER BY"
                      + " q.seq LIMIT ?")) {
            q.setString(1, recipient);
            q.setLong(2, afterSeq);
            q.setLong(3, now);
            q.setString(4, device);
            q.setString(5, device);
            q.setInt(6, limit);
            List<QueuedEnvelope> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new QueuedEnvelope(
                        rs.getLong(1),
                        recipient,
                        rs.getString(2),
                        rs.getString(3),
                        rs.getBytes(4)));
              }
            }
            return out;
          }
        });
  }

  @Override
  public boolean remove(String recipient, String sender, String messageId) throws IOException {
    return inTransaction(
        "removing an acknowledged envelope",
        c -> {
          try (PreparedStatement d =
              c.prepareStatement(
                  "DELETE FROM queue WHERE recipient = ? AND sender = ? AND message_id = ?")) {
            d.setString(1, recipient);
            d.setString(2, sender);
            d.setString(3, messageId);
            return d.executeUpdate() > 0;
          }
        });
  }

  @Override
  public boolean remove(String recipient, String device, String sender, String messageId)
      throws IOException {
    requireNonNull(device, "device");
    if (ANY_DEVICE.equals(device)) {
      return remove(recipient, sender, messageId); // as before devices: the first ack takes it
    }
    return inTransaction(
        "removing an acknowledged envelope",
        c -> {
          long seq;
          try (PreparedStatement find =
              c.prepareStatement(
                  "SELECT seq FROM queue WHERE recipient = ? AND sender = ? AND message_id = ?"
                      + " FOR UPDATE")) {
            find.setString(1, recipient);
            find.setString(2, sender);
            find.setString(3, messageId);
            try (ResultSet rs = find.executeQuery()) {
              if (!rs.next()) {
                return false;
              }
              seq = rs.getLong(1);
            }
          }
          try (PreparedStatement untarget =
              c.prepareStatement(
                  "DELETE FROM queue_targets WHERE seq = ? AND device IN (?, '*')")) {
            untarget.setLong(1, seq);
            untarget.setString(2, device);
            if (untarget.executeUpdate() == 0) {
              return false; // not this device's envelope, or acknowledged by it already
            }
          }
          try (PreparedStatement gone =
              c.prepareStatement(
                  "DELETE FROM queue q WHERE q.seq = ? AND NOT EXISTS (SELECT 1 FROM"
                      + " queue_targets t WHERE t.seq = q.seq)")) {
            gone.setLong(1, seq);
            gone.executeUpdate();
          }
          return true;
        });
  }

  /**
   * One statement for a connection without a device (the named copies go, for every device); for a
   * device, one that locks the copies and removes its targets, and one that deletes the copies no
   * target is left for. The names travel as two arrays, whatever their number.
   */
  @Override
  public int removeAll(String recipient, String device, List<EnvelopeId> acknowledged)
      throws IOException {
    requireNonNull(device, "device");
    if (acknowledged.isEmpty()) {
      return 0;
    }
    String[] senders = acknowledged.stream().map(EnvelopeId::sender).toArray(String[]::new);
    String[] ids = acknowledged.stream().map(EnvelopeId::messageId).toArray(String[]::new);
    return inTransaction(
        "removing acknowledged envelopes",
        c -> {
          if (ANY_DEVICE.equals(device)) {
            try (PreparedStatement d =
                c.prepareStatement(
                    "DELETE FROM queue WHERE recipient = ? AND (sender, message_id) IN (SELECT *"
                        + " FROM unnest(?::text[], ?::text[]))")) {
              d.setString(1, recipient);
              d.setArray(2, c.createArrayOf("text", senders));
              d.setArray(3, c.createArrayOf("text", ids));
              return d.executeUpdate();
            }
          }
          Set<Long> had = new HashSet<>();
          try (PreparedStatement untarget =
              c.prepareStatement(
                  "WITH named AS (SELECT seq FROM queue WHERE recipient = ? AND (sender,"
                      + " message_id) IN (SELECT * FROM unnest(?::text[], ?::text[])) FOR UPDATE)"
                      + " DELETE FROM queue_targets t USING named WHERE t.seq = named.seq AND"
                      + " t.device IN (?, '*') RETURNING t.seq")) {
            untarget.setString(1, recipient);
            untarget.setArray(2, c.createArrayOf("text", senders));
            untarget.setArray(3, c.createArrayOf("text", ids));
            untarget.setString(4, device);
            try (ResultSet rs = untarget.executeQuery()) {
              while (rs.next()) {
                had.add(rs.getLong(1));
              }
            }
          }
          if (!had.isEmpty()) {
            try (PreparedStatement gone =
                c.prepareStatement(
                    "DELETE FROM queue q WHERE q.seq = ANY(?) AND NOT EXISTS (SELECT 1 FROM"
                        + " queue_targets t WHERE t.seq = q.seq)")) {
              gone.setArray(1, c.createArrayOf("bigint", had.toArray()));
              gone.executeUpdate();
            }
          }
          return had.size();
        });
  }

  @Override
  public void registerDevice(String owner, String device, boolean named) throws IOException {
    inTransaction(
        "registering a device",
        c -> {
          try (PreparedStatement ins =
              c.prepareStatement(
                  "INSERT INTO devices (owner, device, registered_at, named) VALUES (?, ?, ?, ?)"
                      + " ON CONFLICT DO NOTHING")) {
            ins.setString(1, owner);
            ins.setString(2, device);
            ins.setLong(3, clock.millis());
            ins.setBoolean(4, named);
            if (ins.executeUpdate() == 1) {
              deviceNotices.notifyCommitted(c, owner);
            }
          }
          return null;
        });
  }

  @Override
  public Map<String, Set<String>> registeredDevices() throws IOException {
    return inTransaction(
        "reading the registered devices",
        c -> {
          Map<String, Set<String>> out = new HashMap<>();
          try (PreparedStatement q = c.prepareStatement("SELECT owner, device FROM devices");
              ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
              out.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
            }
          }
          return out;
        });
  }

  @Override
  public OwnerDevices registeredDevicesOf(String owner) throws IOException {
    return inTransaction(
        "reading the registered devices",
        c -> {
          Set<String> devices = new HashSet<>();
          boolean named = false;
          try (PreparedStatement q =
              c.prepareStatement("SELECT device, named FROM devices WHERE owner = ?")) {
            q.setString(1, owner);
            try (ResultSet rs = q.executeQuery()) {
              while (rs.next()) {
                devices.add(rs.getString(1));
                named |= rs.getBoolean(2);
              }
            }
          }
          return new OwnerDevices(devices, named);
        });
  }

  @Override
  public AddedSince<OwnerDevice> devicesAddedSince(long cursor) throws IOException {
    try (Connection c = pool.getConnection()) {
      return AddedSince.read(
          c,
          "SELECT owner, device, named FROM devices WHERE added_xid >= ?::xid8",
          cursor,
          rs -> new OwnerDevice(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
    } catch (SQLException e) {
      throw new IOException("reading the registered devices failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Set<String> ownersWithNamedDevices() throws IOException {
    return inTransaction(
        "reading the registered devices",
        c -> {
          Set<String> out = new HashSet<>();
          try (PreparedStatement q =
                  c.prepareStatement("SELECT DISTINCT owner FROM devices WHERE named");
              ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
          return out;
        });
  }

  @Override
  public int targetsLeft(String recipient, String sender, String messageId) throws IOException {
    return inTransaction(
        "reading the queue",
        c -> {
          try (PreparedStatement q =
              c.prepareStatement(
                  "SELECT COUNT(*) FROM queue_targets t JOIN queue q ON q.seq = t.seq WHERE"
                      + " q.recipient = ? AND q.sender = ? AND q.message_id = ?")) {
            q.setString(1, recipient);
            q.setString(2, sender);
            q.setString(3, messageId);
            try (ResultSet rs = q.executeQuery()) {
              rs.next();
              return rs.getInt(1);
            }
          }
        });
  }

  @Override
  public int purgeExpired(int atMost) throws IOException {
    long now = clock.millis();
    return inTransaction(
        "purging expired envelopes",
        c -> {
          try (PreparedStatement d =
              c.prepareStatement(
                  "DELETE FROM queue WHERE seq IN (SELECT seq FROM queue WHERE expires_at"
                      + " <= ? ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED)")) {
            d.setLong(1, now);
            d.setInt(2, atMost);
            int purged = d.executeUpdate();
            deleteLooseBodies(c, atMost);
            return purged;
          }
        });
  }

  /**
   * Deletes at most {@code atMost} bodies no row refers to: the few that two transactions removing
   * their last two rows at once both left (see {@link #shareBodies}). A body is written in the
   * transaction that writes its first row, so a committed body no row refers to is never referred
   * to again. Bodies another transaction holds locked are skipped, like expired rows.
   */
  private static void deleteLooseBodies(Connection c, int atMost) throws SQLException {
    try (PreparedStatement d =
        c.prepareStatement(
            "DELETE FROM bodies WHERE id IN (SELECT b.id FROM bodies b WHERE NOT EXISTS (SELECT 1"
                + " FROM queue q WHERE q.body = b.id AND q.body <> 0) ORDER BY b.id LIMIT ? FOR"
                + " UPDATE SKIP LOCKED)")) {
      d.setInt(1, atMost);
      d.executeUpdate();
    }
  }

  private void loadContacts(String owner, Set<String> into) throws SQLException {
    Connection c = requireNonNull(current.get(), "contacts are read inside a transaction");
    try (PreparedStatement q = c.prepareStatement("SELECT contact FROM contacts WHERE owner = ?")) {
      q.setString(1, owner);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          into.add(rs.getString(1));
        }
      }
    }
  }

  private void writeContact(String owner, String contact) throws SQLException {
    Connection c = requireNonNull(current.get(), "contacts are written inside a transaction");
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO contacts (owner, contact) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
      ins.setString(1, owner);
      ins.setString(2, contact);
      ins.executeUpdate();
    }
  }

  @Override
  public void recordContact(String owner, String contact) throws IOException {
    inTransaction(
        "recording a contact",
        c -> {
          contacts.record(owner, contact);
          return null;
        });
  }

  @Override
  public void noteContact(String owner, String contact) {
    contacts.notePending(owner, contact);
  }

  @Override
  public Set<String> contactsOf(String owner) throws IOException {
    return inTransaction("reading contacts", c -> contacts.of(owner));
  }

  @Override
  public boolean knownContact(String owner, String contact) {
    return contacts.knownContact(owner, contact);
  }

  @Override
  public boolean alreadyExpired(long sealedAtMillis) {
    long now = clock.millis();
    return limits.expiresAt(sealedAtMillis, now) <= now;
  }

  @Override
  public QueueStats.Totals totals() throws IOException {
    long now = clock.millis();
    return inTransaction("reading the queue's totals", c -> QueueStats.totals(c, now));
  }

  @Override
  public int pending(String recipient) throws IOException {
    long now = clock.millis();
    return inTransaction(
        "reading the queue",
        c -> {
          try (PreparedStatement q =
              c.prepareStatement(
                  "SELECT COUNT(*) FROM queue WHERE recipient = ? AND expires_at > ?")) {
            q.setString(1, recipient);
            q.setLong(2, now);
            try (ResultSet rs = q.executeQuery()) {
              rs.next();
              return rs.getInt(1);
            }
          }
        });
  }

  @Override
  public long currentMillis() {
    return clock.millis();
  }

  @Override
  public void otherNodeWroteFor(String recipient) {
    if (recipient == null) {
      contacts.forget();
    } else {
      contacts.forget(recipient);
    }
  }

  @Override
  public void listenForOtherNodes(RemoteCommitListener listener) {
    notices.start(listener);
  }

  @Override
  public void listenForDevicesOfOtherNodes(RemoteCommitListener listener) {
    deviceNotices.start(listener);
  }

  @Override
  public void watchReachability(StoreReachability listener) {
    reachability.start(listener);
  }

  @Override
  public void close() {
    reachability.close();
    notices.close();
    deviceNotices.close();
    pool.close();
  }
}
