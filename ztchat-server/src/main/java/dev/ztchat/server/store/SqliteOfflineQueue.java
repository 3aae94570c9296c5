package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.store.SqliteFiles;
import java.io.IOException;
import java.nio.file.Path;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The relay's durable store of sealed envelopes not yet acknowledged by their recipients: SQLite in
 * WAL mode with {@code synchronous=FULL}, so an envelope reported as stored survives a crash of the
 * server process or the machine. Envelopes are kept in arrival order per recipient, removed only on
 * the recipient's acknowledgement or when they expire: at the earlier of their TTL and the moment
 * receivers would refuse them as too old (header time plus the acceptance window, {@link
 * QueueLimits#expiresAt}). The relay cannot read them.
 *
 * <p>Quotas are per recipient and, within that, per sender: no sender may fill more than its share
 * ({@link QueueLimits#senderSharePercent}) of a recipient's quota, so one insider cannot lock
 * another user's mailbox against everyone else (docs/PROTOCOL.md section 9).
 *
 * <p>Each recipient's usage and each (recipient, sender) pair's usage (count and bytes, for the
 * quotas) is read from the table once and then kept up to date in memory, so an enqueue costs the
 * same with 10 or 100,000 envelopes waiting; it counts expired envelopes until the next purge (at
 * most a minute), which can only make the quota stricter. SQL statements are prepared once.
 *
 * <p>An envelope's bytes are stored once per enqueue ({@link SharedBody}), however many recipients
 * it has: in the row of its one recipient, or in table {@code bodies}, which each recipient's row
 * in {@code queue} refers to and a trigger deletes with the last row that does.
 *
 * <p>Each stored envelope has one or more <em>targets</em>: the device ids (hex SHA-256 of the
 * device certificate) that are to receive it, or {@link #ANY_DEVICE}; one target is kept in the
 * envelope's own row (column {@code device}), several in table {@code queue_targets}. The envelope
 * is stored once; a device reads only the envelopes that target it (in {@code seq} order, so per
 * device in arrival order), its acknowledgement removes only its own target, and the envelope goes
 * when its last target is acknowledged or it expires (docs/v2/devices.md). The recipient's quotas
 * count the envelope once, whatever the number of its devices. The relay's registered devices
 * (table {@code devices}) are kept here too.
 *
 * <p>It also keeps the relay's {@link ContactBook} (who has sent whom a message), in the same
 * transactions.
 *
 * <p>The default {@link OfflineQueue}: one file, {@code relay.db}, in the relay's data folder, its
 * schema (version {@value #SCHEMA_VERSION}) migrated at start from any earlier one.
 *
 * <p>Not thread-safe: the relay calls it from one thread only (its store executor), except {@link
 * #knownContact} and {@link #alreadyExpired}, which any thread may call.
 */
public final class SqliteOfflineQueue implements OfflineQueue {
  static final int SCHEMA_VERSION = 7;

  private final Connection db;
  private final Clock clock;
  private final QueueLimits limits;
  private final Map<String, long[]> usage = new HashMap<>();

  /** Usage per (recipient, sender), keyed {@link #pair}. */
  private final Map<String, long[]> pairUsage = new HashMap<>();

  private final ContactBook contacts;

  /**
   * Prepared on the store thread; concurrent because {@link #close} may run on another thread while
   * a store thread that did not stop in time still prepares one (it then fails on the closed
   * connection, as any use after close does).
   */
  private final Map<String, PreparedStatement> statements = new ConcurrentHashMap<>();

  private SqliteOfflineQueue(Connection db, Clock clock, QueueLimits limits) {
    this.db = db;
    this.clock = clock;
    this.limits = limits;
    this.contacts = new ContactBook(db);
  }

  /** {@code sql}, prepared on first use and kept (cleared parameters) for the next. */
  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement p = statements.get(sql);
    if (p == null) {
      p = db.prepareStatement(sql);
      statements.put(sql, p);
    } else {
      p.clearParameters();
    }
    return p;
  }

  /** {count, bytes} stored for {@code recipient}, read once from the table. */
  private long[] usage(String recipient, long now) throws SQLException {
    long[] u = usage.get(recipient);
    if (u == null) {
      PreparedStatement q =
          statement(
              "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM queue WHERE recipient = ? AND"
                  + " expires_at > ?");
      q.setString(1, recipient);
      q.setLong(2, now);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        u = new long[] {rs.getLong(1), rs.getLong(2)};
      }
      usage.put(recipient, u);
    }
    return u;
  }

  private static String pair(String recipient, String sender) {
    return recipient + '\n' + sender; // names never hold a newline
  }

  /** {count, bytes} stored for {@code recipient} from {@code sender}, read once from the table. */
  private long[] pairUsage(String recipient, String sender, long now) throws SQLException {
    String key = pair(recipient, sender);
    long[] u = pairUsage.get(key);
    if (u == null) {
      PreparedStatement q =
          statement(
              "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM queue"
                  + " WHERE recipient = ? AND sender = ? AND expires_at > ?");
      q.setString(1, recipient);
      q.setString(2, sender);
      q.setLong(3, now);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        u = new long[] {rs.getLong(1), rs.getLong(2)};
      }
      pairUsage.put(key, u);
    }
    return u;
  }

  /** Opens (creating and migrating as needed) {@code relay.db} in the data folder. */
  public static SqliteOfflineQueue open(QueueLimits limits, Clock clock) throws IOException {
    requireNonNull(limits, "limits");
    requireNonNull(clock, "clock");
    Path file = limits.dataDir().resolve("relay.db");
    Connection c =
        SqliteFiles.openPrivate(
            file, "the relay's store (another server on the same --data folder?)");
    try {
      migrate(c);
      return new SqliteOfflineQueue(c, clock, limits);
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the original failure is what matters
      }
      throw new IOException("cannot set up the relay's store " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Brings the relay's store to {@link #SCHEMA_VERSION} (also run by {@link SqlitePrekeyStore}).
   */
  static void migrate(Connection c) throws SQLException {
    SqliteFiles.migrate(
        c,
        SCHEMA_VERSION,
        "the relay's store",
        (s, from) -> {
          if (from < 1) {
            s.execute(
                "CREATE TABLE queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT"
                    + " NULL, sender TEXT NOT NULL, message_id TEXT NOT NULL, envelope BLOB NOT"
                    + " NULL, size INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, expires_at"
                    + " INTEGER NOT NULL, UNIQUE (recipient, sender, message_id))");
            s.execute("CREATE INDEX queue_by_recipient ON queue (recipient, seq)");
            s.execute("CREATE INDEX queue_by_expiry ON queue (expires_at)");
          }
          if (from < 2) {
            ContactBook.createTable(s);
            // whoever has an envelope waiting for someone has written to them
            s.execute(
                "INSERT OR IGNORE INTO contacts (owner, contact) SELECT DISTINCT recipient, sender"
                    + " FROM queue");
          }
          if (from < 3) {
            SqlitePrekeyStore.createTables(s);
          }
          if (from < 4) {
            s.execute(
                "CREATE TABLE queue_targets (seq INTEGER NOT NULL, device TEXT NOT NULL, PRIMARY"
                    + " KEY (seq, device)) WITHOUT ROWID");
            // what was queued before devices keeps its old rule: any connection, first ack
            s.execute("INSERT INTO queue_targets (seq, device) SELECT seq, '*' FROM queue");
            s.execute(
                "CREATE TRIGGER queue_targets_go_with_the_envelope AFTER DELETE ON queue BEGIN"
                    + " DELETE FROM queue_targets WHERE seq = OLD.seq; END");
            s.execute(
                "CREATE TABLE devices (owner TEXT NOT NULL, device TEXT NOT NULL, registered_at"
                    + " INTEGER NOT NULL, named INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (owner,"
                    + " device))");
          }
          if (from < 5) {
            shareBodies(s);
          }
          if (from < 6) {
            bytesInTheRowOfOneRecipient(s);
          }
          if (from < 7) {
            oneTargetInItsRow(s);
          }
        });
  }

  /**
   * Schema version 5: an envelope's bytes move to {@code bodies}, one row per enqueue that every
   * recipient's row refers to. Each envelope already queued gets a body of its own (its id the
   * row's {@code seq}), in the transaction of the migration, so nothing queued is lost.
   */
  private static void shareBodies(Statement s) throws SQLException {
    s.execute("CREATE TABLE bodies (id INTEGER PRIMARY KEY, envelope BLOB NOT NULL)");
    s.execute("INSERT INTO bodies (id, envelope) SELECT seq, envelope FROM queue");
    s.execute("ALTER TABLE queue ADD COLUMN body INTEGER NOT NULL DEFAULT 0");
    s.execute("UPDATE queue SET body = seq");
    s.execute("ALTER TABLE queue DROP COLUMN envelope");
    s.execute("CREATE INDEX queue_by_body ON queue (body)");
    s.execute(
        "CREATE TRIGGER bodies_go_with_their_last_copy AFTER DELETE ON queue BEGIN DELETE FROM"
            + " bodies WHERE id = OLD.body AND NOT EXISTS (SELECT 1 FROM queue WHERE body ="
            + " OLD.body); END");
  }

  /**
   * Schema version 6: the envelope of a single recipient keeps its bytes in its own row ({@code
   * envelope}, {@code body} 0), so that a direct message costs one row again; the rows of several
   * recipients refer to a body as in version 5. The index on {@code body} and the trigger leave
   * such rows out. Nothing queued moves.
   */
  private static void bytesInTheRowOfOneRecipient(Statement s) throws SQLException {
    s.execute("ALTER TABLE queue ADD COLUMN envelope BLOB");
    s.execute("DROP INDEX queue_by_body");
    s.execute("CREATE INDEX queue_by_body ON queue (body) WHERE body <> 0");
    s.execute("DROP TRIGGER bodies_go_with_their_last_copy");
    // "body <> 0" in the inner query as well, so that it may use the partial index
    s.execute(
        "CREATE TRIGGER bodies_go_with_their_last_copy AFTER DELETE ON queue WHEN OLD.body <> 0"
            + " BEGIN DELETE FROM bodies WHERE id = OLD.body AND NOT EXISTS (SELECT 1 FROM queue"
            + " WHERE body = OLD.body AND body <> 0); END");
  }

  /**
   * Schema version 7: a copy with one target (a recipient with one device, or any device) names it
   * in its own row ({@code device}), with no row in {@code queue_targets}, so that a direct message
   * to one device writes and deletes one row, not two; a copy with several targets keeps them in
   * {@code queue_targets} ({@code device} NULL), as before. The trigger that deletes a copy's
   * targets with the copy leaves the first kind out. Nothing queued moves.
   */
  private static void oneTargetInItsRow(Statement s) throws SQLException {
    s.execute("ALTER TABLE queue ADD COLUMN device TEXT");
    s.execute("DROP TRIGGER queue_targets_go_with_the_envelope");
    s.execute(
        "CREATE TRIGGER queue_targets_go_with_the_envelope AFTER DELETE ON queue WHEN OLD.device IS"
            + " NULL BEGIN DELETE FROM queue_targets WHERE seq = OLD.seq; END");
  }

  /**
   * As {@link #enqueue(List, String, String, long, byte[], Consumer)}, each recipient's copy for
   * the devices {@code targets} gives (device ids as hex, or {@link #ANY_DEVICE}; never empty). A
   * retry of an envelope already stored keeps the targets it was stored with.
   */
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
    Map<String, EnqueueOutcome> out = new LinkedHashMap<>();
    long now = clock.millis();
    long expiresAt = limits.expiresAt(sealedAtMillis, now);
    SharedBody body = new SharedBody(envelope, recipients.size());
    transaction(
        () -> {
          try {
            for (String r : recipients) {
              if (expiresAt <= now) {
                out.put(r, EnqueueOutcome.EXPIRED);
                continue;
              }
              List<String> devices = targets.apply(r);
              if (devices.isEmpty()) {
                throw new IllegalArgumentException("an envelope needs at least one target");
              }
              String inRow = devices.size() == 1 ? devices.getFirst() : null;
              long seq = enqueueOne(r, sender, messageId, body, inRow, now, expiresAt, quotas);
              if (seq >= 0) {
                body.referred();
                if (inRow == null) {
                  addTargets(seq, devices);
                }
              }
              if (seq == ALREADY_STORED) {
                out.put(r, EnqueueOutcome.ALREADY_STORED);
              } else if (seq == QUEUE_FULL) {
                out.put(r, EnqueueOutcome.QUEUE_FULL);
              } else if (seq == SENDER_SHARE_FULL) {
                out.put(r, EnqueueOutcome.SENDER_SHARE_FULL);
              } else {
                out.put(r, EnqueueOutcome.STORED);
                stored.accept(new QueuedEnvelope(seq, r, sender, messageId, envelope));
              }
              if (out.get(r).held()) {
                contacts.record(r, sender);
              }
            }
            body.removeIfUnreferred(this::removeBody);
          } catch (SQLException e) {
            throw new IOException("storing an envelope failed: " + e.getMessage(), e);
          }
        });
    return out;
  }

  /**
   * Runs {@code work} in one transaction, committed (durably) when this returns; calls made inside
   * join it. Batching many envelopes into one commit is what makes the relay fast: one disk sync
   * per batch instead of one per message.
   */
  @Override
  public void transaction(Work work) throws IOException {
    boolean outer;
    try {
      outer = db.getAutoCommit();
      if (outer) {
        db.setAutoCommit(false);
      }
    } catch (SQLException e) {
      throw new IOException("the store is unavailable: " + e.getMessage(), e);
    }
    if (!outer) {
      work.run();
      return;
    }
    boolean committed = false;
    try {
      work.run();
      db.commit();
      committed = true;
    } catch (SQLException e) {
      throw new IOException("committing to the store failed: " + e.getMessage(), e);
    } finally {
      // Whatever stopped the work (an Error too): turning auto-commit back on would commit it.
      if (!committed) {
        rollbackQuietly();
        forgetCounts(); // counts changed inside the rolled-back transaction are re-read
      }
      autoCommit();
    }
  }

  private void forgetCounts() {
    usage.clear();
    pairUsage.clear();
    contacts.forget();
  }

  private static final long ALREADY_STORED = -1;
  private static final long QUEUE_FULL = -2;
  private static final long SENDER_SHARE_FULL = -3;

  /**
   * Stores one copy, its one target {@code device} in its row (null: its targets go to {@code
   * queue_targets}); returns its seq, or {@link #ALREADY_STORED}, {@link #QUEUE_FULL} or {@link
   * #SENDER_SHARE_FULL}.
   */
  private long enqueueOne(
      String recipient,
      String sender,
      String messageId,
      SharedBody body,
      String device,
      long now,
      long expiresAt,
      Quotas quotas)
      throws SQLException {
    long[] used = usage(recipient, now);
    long[] byPair = pairUsage(recipient, sender, now);
    int size = body.size();
    boolean full =
        used[0] + 1 > limits.maxMessagesPerRecipient()
            || used[1] + size > limits.maxBytesPerRecipient();
    boolean overShare =
        byPair[0] + 1 > limits.maxMessagesPerSender()
            || byPair[1] + size > limits.maxBytesPerSender();
    if ((full || overShare) && quotas.checked()) {
      // a retry of an envelope already stored is answered as stored, even with a full queue
      if (exists(recipient, sender, messageId)) {
        return ALREADY_STORED;
      }
      return overShare ? SENDER_SHARE_FULL : QUEUE_FULL;
    }
    // The UNIQUE key answers "already stored" within the insert itself: one index probe, not two.
    long bodyId = body.id(this::writeBody);
    PreparedStatement ins =
        statement(
            "INSERT INTO queue (recipient, sender, message_id, body, envelope, size,"
                + " enqueued_at, expires_at, device) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT"
                + " (recipient, sender, message_id) DO NOTHING RETURNING seq");
    ins.setString(1, recipient);
    ins.setString(2, sender);
    ins.setString(3, messageId);
    ins.setLong(4, bodyId);
    ins.setBytes(5, body.inRow());
    ins.setInt(6, size);
    ins.setLong(7, now);
    ins.setLong(8, expiresAt);
    ins.setString(9, device);
    try (ResultSet rs = ins.executeQuery()) {
      if (!rs.next()) {
        return ALREADY_STORED;
      }
      used[0]++;
      used[1] += size;
      byPair[0]++;
      byPair[1] += size;
      return rs.getLong(1);
    }
  }

  private long writeBody(byte[] envelope) throws SQLException {
    PreparedStatement ins = statement("INSERT INTO bodies (envelope) VALUES (?) RETURNING id");
    ins.setBytes(1, envelope);
    try (ResultSet rs = ins.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void removeBody(long id) throws SQLException {
    PreparedStatement d = statement("DELETE FROM bodies WHERE id = ?");
    d.setLong(1, id);
    d.executeUpdate();
  }

  private void addTargets(long seq, List<String> devices) throws SQLException {
    PreparedStatement ins =
        statement("INSERT OR IGNORE INTO queue_targets (seq, device) VALUES (?, ?)");
    for (String d : devices) {
      ins.setLong(1, seq);
      ins.setString(2, d);
      ins.executeUpdate();
    }
  }

  private boolean exists(String recipient, String sender, String messageId) throws SQLException {
    PreparedStatement exists =
        statement("SELECT 1 FROM queue WHERE recipient = ? AND sender = ? AND message_id = ?");
    exists.setString(1, recipient);
    exists.setString(2, sender);
    exists.setString(3, messageId);
    try (ResultSet rs = exists.executeQuery()) {
      return rs.next();
    }
  }

  /**
   * Up to {@code limit} unexpired envelopes for {@code recipient}'s device {@code device} (hex
   * device id, or {@link #ANY_DEVICE} for a connection without a device certificate) after {@code
   * afterSeq}, oldest first: those that target the device or any device and that the device has not
   * acknowledged.
   */
  @Override
  public List<QueuedEnvelope> after(String recipient, String device, long afterSeq, int limit)
      throws IOException {
    requireNonNull(device, "device");
    try {
      // a connection without a device reads every copy of its person, as before devices
      PreparedStatement q =
          statement(
              "SELECT q.seq, q.sender, q.message_id, COALESCE(q.envelope, b.envelope) FROM queue q"
                  + " LEFT JOIN bodies b ON b.id = q.body WHERE q.recipient = ? AND q.seq > ? AND"
                  + " q.expires_at > ? AND (?5 = '*' OR q.device IN (?5, '*') OR (q.device IS NULL"
                  + " AND EXISTS (SELECT 1 FROM queue_targets t WHERE t.seq = q.seq AND t.device IN"
                  + " (?5, '*')))) ORDER BY q.seq LIMIT ?4");
      q.setString(1, recipient);
      q.setLong(2, afterSeq);
      q.setLong(3, clock.millis());
      q.setInt(4, limit);
      q.setString(5, device);
      List<QueuedEnvelope> out = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(
              new QueuedEnvelope(
                  rs.getLong(1), recipient, rs.getString(2), rs.getString(3), rs.getBytes(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IOException("reading the queue failed: " + e.getMessage(), e);
    }
  }

  /** Removes an acknowledged envelope for every device; returns whether it was there. */
  @Override
  public boolean remove(String recipient, String sender, String messageId) throws IOException {
    try {
      PreparedStatement d =
          statement(
              "DELETE FROM queue WHERE recipient = ? AND sender = ? AND message_id = ? RETURNING"
                  + " size");
      d.setString(1, recipient);
      d.setString(2, sender);
      d.setString(3, messageId);
      boolean removed = false;
      try (ResultSet rs = d.executeQuery()) {
        while (rs.next()) {
          removed = true;
          uncount(recipient, sender, rs.getLong(1));
        }
      }
      return removed;
    } catch (SQLException e) {
      throw new IOException("removing an acknowledged envelope failed: " + e.getMessage(), e);
    }
  }

  /**
   * {@code recipient}'s device {@code device} (or {@link #ANY_DEVICE}) acknowledged an envelope:
   * removes that device's target (and the any-device target, whose first acknowledgement takes it),
   * and the envelope itself once no target is left. Another device's copy is never removed. Returns
   * whether the device had the envelope.
   */
  @Override
  public boolean remove(String recipient, String device, String sender, String messageId)
      throws IOException {
    requireNonNull(device, "device");
    if (ANY_DEVICE.equals(device)) {
      return remove(recipient, sender, messageId); // as before devices: the first ack takes it
    }
    try {
      PreparedStatement find =
          statement(
              "SELECT seq, size, device FROM queue WHERE recipient = ? AND sender = ? AND"
                  + " message_id = ?");
      find.setString(1, recipient);
      find.setString(2, sender);
      find.setString(3, messageId);
      long seq;
      long size;
      String inRow;
      try (ResultSet rs = find.executeQuery()) {
        if (!rs.next()) {
          return false;
        }
        seq = rs.getLong(1);
        size = rs.getLong(2);
        inRow = rs.getString(3);
      }
      if (inRow != null) { // its one target: this device's (or any device's), or another's
        if (!inRow.equals(device) && !inRow.equals(ANY_DEVICE)) {
          return false;
        }
        removeSeq(seq, recipient, sender, size);
        return true;
      }
      PreparedStatement untarget =
          statement("DELETE FROM queue_targets WHERE seq = ? AND device IN (?, '*')");
      untarget.setLong(1, seq);
      untarget.setString(2, device);
      if (untarget.executeUpdate() == 0) {
        return false; // not this device's envelope, or acknowledged by it already
      }
      PreparedStatement left = statement("SELECT 1 FROM queue_targets WHERE seq = ? LIMIT 1");
      left.setLong(1, seq);
      try (ResultSet rs = left.executeQuery()) {
        if (rs.next()) {
          return true; // another device still has to receive it
        }
      }
      removeSeq(seq, recipient, sender, size);
      return true;
    } catch (SQLException e) {
      throw new IOException("removing an acknowledged envelope failed: " + e.getMessage(), e);
    }
  }

  private void removeSeq(long seq, String recipient, String sender, long size) throws SQLException {
    PreparedStatement gone = statement("DELETE FROM queue WHERE seq = ?");
    gone.setLong(1, seq);
    if (gone.executeUpdate() > 0) {
      uncount(recipient, sender, size);
    }
  }

  @Override
  public int removeAll(String recipient, String device, List<EnvelopeId> acknowledged)
      throws IOException {
    requireNonNull(device, "device");
    int had = 0;
    try {
      for (int from = 0; from < acknowledged.size(); from += AckStatements.MOST) {
        List<EnvelopeId> part =
            acknowledged.subList(from, Math.min(acknowledged.size(), from + AckStatements.MOST));
        had +=
            ANY_DEVICE.equals(device)
                ? removeAll(recipient, part)
                : removeAllForDevice(recipient, device, part);
      }
    } catch (SQLException e) {
      throw new IOException("removing acknowledged envelopes failed: " + e.getMessage(), e);
    }
    return had;
  }

  /** As before devices: one DELETE takes every copy named, for every device. */
  private int removeAll(String recipient, List<EnvelopeId> part) throws SQLException {
    int slots = AckStatements.slots(part.size());
    PreparedStatement d =
        statement(
            "DELETE FROM queue WHERE "
                + AckStatements.named(slots, 1, 2)
                + " RETURNING sender, size");
    d.setString(1, recipient);
    AckStatements.bindNames(d, 2, part, slots);
    return uncountDeleted(recipient, d);
  }

  /**
   * One DELETE removes the copies named whose one target, in their row, is the device or any
   * device; when that was not every copy named, a second removes the device's (and the any-device)
   * targets of the others, and a third deletes those copies no target is left for.
   */
  private int removeAllForDevice(String recipient, String device, List<EnvelopeId> part)
      throws SQLException {
    int slots = AckStatements.slots(part.size());
    PreparedStatement oneTarget =
        statement(
            "DELETE FROM queue WHERE device IN (?1, '*') AND ("
                + AckStatements.named(slots, 2, 3)
                + ") RETURNING sender, size");
    oneTarget.setString(1, device);
    oneTarget.setString(2, recipient);
    AckStatements.bindNames(oneTarget, 3, part, slots);
    int inRow = uncountDeleted(recipient, oneTarget);
    return inRow == part.size() ? inRow : inRow + removeTargets(recipient, device, part, slots);
  }

  /**
   * Removes the device's (and the any-device) targets of the copies named that keep their targets
   * in {@code queue_targets}, then those copies no target is left for; returns how many copies the
   * device had.
   */
  private int removeTargets(String recipient, String device, List<EnvelopeId> part, int slots)
      throws SQLException {
    PreparedStatement untarget =
        statement(
            "DELETE FROM queue_targets WHERE device IN (?1, '*') AND seq IN (SELECT seq FROM queue"
                + " WHERE "
                + AckStatements.named(slots, 2, 3)
                + ") RETURNING seq");
    untarget.setString(1, device);
    untarget.setString(2, recipient);
    AckStatements.bindNames(untarget, 3, part, slots);
    Set<Long> had = new HashSet<>();
    try (ResultSet rs = untarget.executeQuery()) {
      while (rs.next()) {
        had.add(rs.getLong(1));
      }
    }
    if (had.isEmpty()) {
      return 0;
    }
    List<Long> seqs = List.copyOf(had);
    int seqSlots = AckStatements.slots(seqs.size());
    PreparedStatement gone =
        statement(
            "DELETE FROM queue WHERE seq IN ("
                + AckStatements.placeholders(seqSlots)
                + ") AND NOT EXISTS (SELECT 1 FROM queue_targets t WHERE t.seq = queue.seq)"
                + " RETURNING sender, size");
    for (int i = 0; i < seqSlots; i++) {
      gone.setLong(i + 1, seqs.get(Math.min(i, seqs.size() - 1)));
    }
    uncountDeleted(recipient, gone);
    return seqs.size();
  }

  /** Runs {@code delete} (which returns sender and size), uncounting each row; returns how many. */
  private int uncountDeleted(String recipient, PreparedStatement delete) throws SQLException {
    int n = 0;
    try (ResultSet rs = delete.executeQuery()) {
      while (rs.next()) {
        uncount(recipient, rs.getString(1), rs.getLong(2));
        n++;
      }
    }
    return n;
  }

  private void uncount(String recipient, String sender, long size) {
    long[] used = usage.get(recipient);
    if (used != null) {
      used[0]--;
      used[1] -= size;
    }
    long[] byPair = pairUsage.get(pair(recipient, sender));
    if (byPair != null) {
      byPair[0]--;
      byPair[1] -= size;
    }
  }

  /**
   * As {@link #registerDevice(String, String)}; {@code named} when its certificate names the device
   * (an OU, {@code pki issue NAME --device DEVICE}).
   */
  @Override
  public void registerDevice(String owner, String device, boolean named) throws IOException {
    try {
      PreparedStatement ins =
          statement(
              "INSERT OR IGNORE INTO devices (owner, device, registered_at, named) VALUES (?, ?,"
                  + " ?, ?)");
      ins.setString(1, owner);
      ins.setString(2, device);
      ins.setLong(3, clock.millis());
      ins.setInt(4, named ? 1 : 0);
      ins.executeUpdate();
    } catch (SQLException e) {
      throw new IOException("registering a device failed: " + e.getMessage(), e);
    }
  }

  /** Every registered device, by owner. */
  @Override
  public Map<String, Set<String>> registeredDevices() throws IOException {
    Map<String, Set<String>> out = new HashMap<>();
    try (PreparedStatement q = db.prepareStatement("SELECT owner, device FROM devices");
        ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
      }
      return out;
    } catch (SQLException e) {
      throw new IOException("reading the registered devices failed: " + e.getMessage(), e);
    }
  }

  /** The owners with at least one registered named device. */
  @Override
  public Set<String> ownersWithNamedDevices() throws IOException {
    Set<String> out = new HashSet<>();
    try (PreparedStatement q =
            db.prepareStatement("SELECT DISTINCT owner FROM devices WHERE named = 1");
        ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw new IOException("reading the registered devices failed: " + e.getMessage(), e);
    }
  }

  /**
   * How many devices have still to acknowledge the envelope ({@code recipient}, {@code sender},
   * {@code messageId}); 0 when it is not stored.
   */
  @Override
  public int targetsLeft(String recipient, String sender, String messageId) throws IOException {
    try (PreparedStatement q =
        db.prepareStatement(
            "SELECT CASE WHEN q.device IS NULL THEN (SELECT COUNT(*) FROM queue_targets t WHERE"
                + " t.seq = q.seq) ELSE 1 END FROM queue q WHERE q.recipient = ? AND q.sender = ?"
                + " AND q.message_id = ?")) {
      q.setString(1, recipient);
      q.setString(2, sender);
      q.setString(3, messageId);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    } catch (SQLException e) {
      throw new IOException("reading the queue failed: " + e.getMessage(), e);
    }
  }

  /** Deletes every envelope whose TTL has passed; returns how many. */
  @Override
  public int purgeExpired(int atMost) throws IOException {
    try (PreparedStatement d =
        db.prepareStatement(
            "DELETE FROM queue WHERE seq IN (SELECT seq FROM queue WHERE expires_at <= ?"
                + " ORDER BY expires_at LIMIT ?)")) {
      d.setLong(1, clock.millis());
      d.setInt(2, atMost);
      int n = d.executeUpdate();
      if (n > 0) { // re-read, now without the expired envelopes
        usage.clear();
        pairUsage.clear();
      }
      return n;
    } catch (SQLException e) {
      throw new IOException("purging expired envelopes failed: " + e.getMessage(), e);
    }
  }

  /**
   * Records that {@code contact} sent {@code owner} a message the relay did not need to store (its
   * recipient acknowledged it from memory first).
   */
  @Override
  public void recordContact(String owner, String contact) throws IOException {
    try {
      contacts.record(owner, contact);
    } catch (SQLException e) {
      throw new IOException("recording a contact failed: " + e.getMessage(), e);
    }
  }

  /**
   * Any thread, from memory: {@code contact} sent {@code owner} a message that {@code owner} took
   * from memory; {@link #knownContact} answers true at once, and {@link #recordContact} writes it
   * with the store's next batch.
   */
  @Override
  public void noteContact(String owner, String contact) {
    contacts.notePending(owner, contact);
  }

  /** The users who have sent {@code owner} a message through this relay. */
  @Override
  public Set<String> contactsOf(String owner) throws IOException {
    try {
      return contacts.of(owner);
    } catch (SQLException e) {
      throw new IOException("reading contacts failed: " + e.getMessage(), e);
    }
  }

  /**
   * Any thread, from memory only: true if {@code contact} is known to have sent {@code owner} a
   * message. May answer false for a true pair whose owner was not read yet ({@link #contactsOf}).
   */
  @Override
  public boolean knownContact(String owner, String contact) {
    return contacts.knownContact(owner, contact);
  }

  /**
   * Any thread: true if an envelope sealed at {@code sealedAtMillis} would expire before it is
   * stored.
   */
  @Override
  public boolean alreadyExpired(long sealedAtMillis) {
    long now = clock.millis();
    return limits.expiresAt(sealedAtMillis, now) <= now;
  }

  /** What the queue holds now, in all (expired envelopes not counted). */
  @Override
  public QueueStats.Totals totals() throws IOException {
    try {
      return QueueStats.totals(db, clock.millis());
    } catch (SQLException e) {
      throw new IOException("reading the queue's totals failed: " + e.getMessage(), e);
    }
  }

  /** How many envelopes wait for {@code recipient} (expired ones not counted). */
  @Override
  public int pending(String recipient) throws IOException {
    try (PreparedStatement q =
        db.prepareStatement("SELECT COUNT(*) FROM queue WHERE recipient = ? AND expires_at > ?")) {
      q.setString(1, recipient);
      q.setLong(2, clock.millis());
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new IOException("reading the queue failed: " + e.getMessage(), e);
    }
  }

  private void rollbackQuietly() {
    try {
      db.rollback();
    } catch (SQLException ignored) {
      // the original failure is what matters
    }
  }

  private void autoCommit() {
    try {
      db.setAutoCommit(true);
    } catch (SQLException ignored) {
      // next use will fail with a clear message
    }
  }

  @Override
  public long currentMillis() {
    return clock.millis();
  }

  @Override
  public void close() {
    try {
      for (PreparedStatement p : statements.values()) {
        p.close();
      }
      contacts.close();
      db.close();
    } catch (SQLException ignored) {
      // closing
    }
  }
}
