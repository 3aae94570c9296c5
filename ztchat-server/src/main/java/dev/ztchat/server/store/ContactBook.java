package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who has sent whom a message through this relay: the relation that decides what a user may learn
 * of another's presence (docs/SECURITY.md, presence). {@code owner}'s contacts are the users whose
 * envelopes the relay stored (or handed over) for {@code owner}: they chose to talk to them. It is
 * metadata the relay sees anyway; kept in the relay's store so that it survives restarts.
 *
 * <p>Each owner's contacts are read from the table once and then kept in memory, so recording a
 * pair already known costs a lookup, not a write.
 *
 * <p>Threading: {@link #of} and {@link #record} run on the store thread only (inside its
 * transactions); {@link #knownContact} may be called from any thread and answers from memory alone,
 * so it can say "no" for a pair not yet read: callers use it only where "no" is the safe answer.
 */
final class ContactBook {
  /** Reads one owner's contacts from the store. */
  @FunctionalInterface
  interface Loader {
    void load(String owner, Set<String> into) throws SQLException;
  }

  /** Writes one pair to the store (a pair already there is no error). */
  @FunctionalInterface
  interface Writer {
    void write(String owner, String contact) throws SQLException;
  }

  private final Loader loader;
  private final Writer writer;
  private final ConcurrentHashMap<String, Set<String>> byOwner = new ConcurrentHashMap<>();

  /**
   * Pairs learnt outside the store thread and not yet written by {@link #record}: {@code owner}
   * took {@code contact}'s envelope from memory, and the store records it with its next batch.
   */
  private final ConcurrentHashMap<String, Set<String>> pendingByOwner = new ConcurrentHashMap<>();

  private final Connection db;
  private PreparedStatement select;
  private PreparedStatement insert;

  /** Over the SQLite connection {@code db}, its statements prepared once. */
  ContactBook(Connection db) {
    this.db = requireNonNull(db, "db");
    this.loader = this::sqliteLoad;
    this.writer = this::sqliteWrite;
  }

  /** Over another store, which reads and writes pairs through {@code loader} and {@code writer}. */
  ContactBook(Loader loader, Writer writer) {
    this.db = null;
    this.loader = requireNonNull(loader, "loader");
    this.writer = requireNonNull(writer, "writer");
  }

  private void sqliteLoad(String owner, Set<String> into) throws SQLException {
    if (select == null) {
      select = db.prepareStatement("SELECT contact FROM contacts WHERE owner = ?");
    }
    select.clearParameters();
    select.setString(1, owner);
    try (ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        into.add(rs.getString(1));
      }
    }
  }

  private void sqliteWrite(String owner, String contact) throws SQLException {
    if (insert == null) {
      insert = db.prepareStatement("INSERT OR IGNORE INTO contacts (owner, contact) VALUES (?, ?)");
    }
    insert.clearParameters();
    insert.setString(1, owner);
    insert.setString(2, contact);
    insert.executeUpdate();
  }

  static void createTable(Statement s) throws SQLException {
    s.execute(
        "CREATE TABLE contacts (owner TEXT NOT NULL, contact TEXT NOT NULL, PRIMARY KEY (owner,"
            + " contact)) WITHOUT ROWID");
  }

  /** {@code owner}'s contacts (a live, read-only view). Store thread only. */
  Set<String> of(String owner) throws SQLException {
    Set<String> set = byOwner.get(owner);
    if (set == null) {
      set = ConcurrentHashMap.newKeySet();
      loader.load(owner, set);
      byOwner.put(owner, set);
    }
    return Collections.unmodifiableSet(set);
  }

  /**
   * Records that {@code contact} sent {@code owner} a message. Store thread only, inside a
   * transaction.
   */
  void record(String owner, String contact) throws SQLException {
    of(owner);
    if (!byOwner.get(owner).add(contact)) {
      forgetPending(owner, contact);
      return;
    }
    writer.write(owner, contact);
    forgetPending(owner, contact);
  }

  /**
   * Any thread, memory only: {@code contact} has just sent {@code owner} a message that {@code
   * owner} took from memory; {@link #knownContact} says so at once, before {@link #record} writes
   * it (without this, a reply sent in the moment between would not be reported delivered).
   */
  void notePending(String owner, String contact) {
    pendingByOwner.computeIfAbsent(owner, o -> ConcurrentHashMap.newKeySet()).add(contact);
  }

  private void forgetPending(String owner, String contact) {
    pendingByOwner.computeIfPresent(
        owner, (o, set) -> set.remove(contact) && set.isEmpty() ? null : set);
  }

  /**
   * From memory only, any thread: true if {@code contact} is known to have sent {@code owner} a
   * message.
   */
  boolean knownContact(String owner, String contact) {
    Set<String> set = byOwner.get(owner);
    if (set != null && set.contains(contact)) {
      return true;
    }
    Set<String> pending = pendingByOwner.get(owner);
    return pending != null && pending.contains(contact);
  }

  /**
   * Forgets what memory holds (after a rolled-back transaction); the table is read again on use.
   */
  void forget() {
    byOwner.clear();
  }

  /** Forgets what memory holds of {@code owner}'s contacts (another node may have added one). */
  void forget(String owner) {
    byOwner.remove(owner);
  }

  void close() throws SQLException {
    if (select != null) {
      select.close();
    }
    if (insert != null) {
      insert.close();
    }
  }
}
