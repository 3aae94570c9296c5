package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.SessionStore;
import dev.ztchat.core.conversation.StoredSession;
import dev.ztchat.core.session.LedgerEntry;
import dev.ztchat.core.store.SqliteFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.crypto.AEADBadTagException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's {@link SessionStore}: version-2 sessions, conversation ledgers and this device's
 * prekeys in {@code client.db} (schema 4, tables {@code v2_sessions}, {@code v2_ledgers}, {@code
 * v2_ledger_entries} and {@code v2_prekeys}). A ledger is a small head row (with a generation that
 * changes at every save) and one row per unconfirmed message, so a message adds one row and
 * rewrites only the head; a ledger saved by schema 3 (one whole-state row) is read as its head and
 * gets its entry rows at its next save.
 *
 * <p>Security guarantees: every blob (peer certificate with ratchet state, ledger head, ledger
 * entry, prekey store) is sealed with the store's {@link AtRestKey} under associated data that
 * names its table, peer, device and session or sequence number, so a blob copied into another row
 * does not open; a blob that does not open is reported as damage, never used. Plaintext copies this
 * class makes are zeroed after sealing. What stays readable in the file is who the sessions are
 * with, the devices' ids and when each was last used.
 *
 * <p>It uses its own connection to the file (the store's is shared without transactions), so that a
 * session and its ledger are saved in one transaction. Thread-safe: every method is synchronised.
 */
public final class SqliteSessionStore implements SessionStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteSessionStore.class);

  private static final HexFormat HEX = HexFormat.of();

  private final Connection db;
  private final AtRestKey key;
  private final String what;
  private final SecureRandom generations = new SecureRandom();

  private SqliteSessionStore(Connection db, AtRestKey key, String what) {
    this.db = db;
    this.key = key;
    this.what = what;
  }

  /** Opens the session tables of {@code store} (already migrated to schema 3). */
  static SqliteSessionStore open(ClientStore store, AtRestKey key) throws IOException {
    requireNonNull(key, "key");
    String what = "the local store " + store.file();
    return new SqliteSessionStore(SqliteFiles.openPrivate(store.file(), what), key, what);
  }

  @Override
  public synchronized List<StoredSession> sessions(String peer) throws IOException {
    requireNonNull(peer, "peer");
    List<StoredSession> out = new ArrayList<>();
    try (PreparedStatement q =
        db.prepareStatement(
            "SELECT device, session_id, last_used, body, pending FROM v2_sessions WHERE peer = ?"
                + " ORDER BY last_used DESC, rowid DESC")) {
      q.setString(1, peer);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          String device = rs.getString(1);
          String sessionId = rs.getString(2);
          byte[] plain = open(rs.getBytes(4), sessionBinding(peer, device, sessionId));
          byte[] pending = rs.getBytes(5);
          try {
            StoredSession stored = decodeSession(peer, device, sessionId, rs.getLong(3), plain);
            out.add(
                pending == null
                    ? stored
                    : stored.withPendingInitial(
                        open(pending, pendingBinding(peer, device, sessionId))));
          } finally {
            Arrays.fill(plain, (byte) 0);
          }
        }
      }
    } catch (SQLException e) {
      throw failed("read the sessions", e);
    }
    return List.copyOf(out);
  }

  @Override
  public synchronized Optional<StoredLedger> ledger(String peer, byte[] peerDevice)
      throws IOException {
    requireNonNull(peer, "peer");
    String device = HEX.formatHex(peerDevice);
    try {
      long generation;
      byte[] head;
      try (PreparedStatement q =
          db.prepareStatement(
              "SELECT generation, body FROM v2_ledgers WHERE peer = ? AND device = ?")) {
        q.setString(1, peer);
        q.setString(2, device);
        try (ResultSet rs = q.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          generation = rs.getLong(1);
          head = open(rs.getBytes(2), ledgerBinding(peer, device));
        }
      }
      List<LedgerEntry> entries = new ArrayList<>();
      try (PreparedStatement q =
          db.prepareStatement(
              "SELECT seq, body FROM v2_ledger_entries WHERE peer = ? AND device = ?"
                  + " ORDER BY seq")) {
        q.setString(1, peer);
        q.setString(2, device);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            long seq = rs.getLong(1);
            if (seq < 1) {
              throw damaged("a conversation ledger entry");
            }
            entries.add(
                new LedgerEntry(seq, open(rs.getBytes(2), entryBinding(peer, device, seq))));
          }
        }
      }
      return Optional.of(new StoredLedger(generation, head, entries));
    } catch (SQLException e) {
      throw failed("read a conversation ledger", e);
    }
  }

  @Override
  public synchronized OptionalLong ledgerGeneration(String peer, byte[] peerDevice)
      throws IOException {
    requireNonNull(peer, "peer");
    try (PreparedStatement q =
        db.prepareStatement("SELECT generation FROM v2_ledgers WHERE peer = ? AND device = ?")) {
      q.setString(1, peer);
      q.setString(2, HEX.formatHex(peerDevice));
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    } catch (SQLException e) {
      throw failed("read a conversation ledger", e);
    }
  }

  @Override
  public synchronized long save(StoredSession session, LedgerUpdate ledger) throws IOException {
    requireNonNull(session, "session");
    requireNonNull(ledger, "ledger");
    String peer = session.peer();
    String device = HEX.formatHex(session.peerDevice());
    String sessionId = HEX.formatHex(session.sessionId());
    byte[] plain = encodeSession(session);
    byte[] sealedSession;
    try {
      sealedSession = key.seal(plain, sessionBinding(peer, device, sessionId));
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
    // The initial-message header a started session repeats until the peer answers (section 5.2
    // of docs/v2/sessions.md): lost here, a message sealed again before the first one was read
    // (e.g. after a stale_devices refusal) could not be opened by the peer.
    byte[] pending = session.pendingInitial();
    byte[] sealedPending =
        pending.length == 0 ? null : key.seal(pending, pendingBinding(peer, device, sessionId));
    byte[] head = ledger.head();
    byte[] sealedLedger;
    try {
      sealedLedger = key.seal(head, ledgerBinding(peer, device));
    } finally {
      Arrays.fill(head, (byte) 0);
    }
    List<LedgerEntry> added = ledger.added();
    List<byte[]> sealedEntries = new ArrayList<>(added.size());
    for (LedgerEntry e : added) {
      byte[] body = e.body();
      try {
        sealedEntries.add(key.seal(body, entryBinding(peer, device, e.seq())));
      } finally {
        Arrays.fill(body, (byte) 0);
      }
    }
    long generation = generations.nextLong();
    for (int attempt = 1; ; attempt++) {
      try {
        write(
            peer,
            device,
            sessionId,
            session,
            sealedSession,
            sealedPending,
            sealedLedger,
            added,
            sealedEntries,
            generation,
            ledger.keepFrom());
        return generation;
      } catch (SQLException e) {
        if (attempt < SAVE_ATTEMPTS && busy(e)) {
          LOG.debug(
              "the local store was busy saving a session (try {}): {}", attempt, e.toString());
          continue;
        }
        throw failed("save a session", e);
      }
    }
  }

  /** Tries of a session save when another connection keeps the store busy beyond its timeout. */
  private static final int SAVE_ATTEMPTS = 3;

  private static boolean busy(SQLException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("SQLITE_BUSY") || m.contains("database is locked");
  }

  /**
   * One transaction, begun IMMEDIATE so the write lock is taken first (through the busy timeout),
   * never upgraded half-way; rolled back on any failure without hiding the failure.
   */
  private void write(
      String peer,
      String device,
      String sessionId,
      StoredSession session,
      byte[] sealedSession,
      byte[] sealedPending,
      byte[] sealedLedger,
      List<LedgerEntry> added,
      List<byte[]> sealedEntries,
      long generation,
      long keepFrom)
      throws SQLException {
    try (Statement begin = db.createStatement()) {
      begin.execute("BEGIN IMMEDIATE");
    }
    try {
      try (PreparedStatement u =
          db.prepareStatement(
              "INSERT OR REPLACE INTO v2_sessions (peer, device, session_id, last_used, body,"
                  + " pending) VALUES (?, ?, ?, ?, ?, ?)")) {
        u.setString(1, peer);
        u.setString(2, device);
        u.setString(3, sessionId);
        u.setLong(4, session.lastUsedMillis());
        u.setBytes(5, sealedSession);
        u.setBytes(6, sealedPending);
        u.executeUpdate();
      }
      try (PreparedStatement d =
          db.prepareStatement(
              "DELETE FROM v2_sessions WHERE peer = ? AND device = ? AND rowid NOT IN (SELECT"
                  + " rowid FROM v2_sessions WHERE peer = ? AND device = ? ORDER BY last_used"
                  + " DESC, rowid DESC LIMIT ?)")) {
        d.setString(1, peer);
        d.setString(2, device);
        d.setString(3, peer);
        d.setString(4, device);
        d.setInt(5, MAX_SESSIONS_PER_DEVICE);
        d.executeUpdate();
      }
      try (PreparedStatement u =
          db.prepareStatement(
              "INSERT OR REPLACE INTO v2_ledgers (peer, device, body, generation)"
                  + " VALUES (?, ?, ?, ?)")) {
        u.setString(1, peer);
        u.setString(2, device);
        u.setBytes(3, sealedLedger);
        u.setLong(4, generation);
        u.executeUpdate();
      }
      if (!added.isEmpty()) {
        try (PreparedStatement u =
            db.prepareStatement(
                "INSERT OR REPLACE INTO v2_ledger_entries (peer, device, seq, body)"
                    + " VALUES (?, ?, ?, ?)")) {
          for (int i = 0; i < added.size(); i++) {
            u.setString(1, peer);
            u.setString(2, device);
            u.setLong(3, added.get(i).seq());
            u.setBytes(4, sealedEntries.get(i));
            u.executeUpdate();
          }
        }
      }
      try (PreparedStatement d =
          db.prepareStatement(
              "DELETE FROM v2_ledger_entries WHERE peer = ? AND device = ? AND seq < ?")) {
        d.setString(1, peer);
        d.setString(2, device);
        d.setLong(3, keepFrom);
        d.executeUpdate();
      }
      try (Statement commit = db.createStatement()) {
        commit.execute("COMMIT");
      }
    } catch (SQLException | RuntimeException e) {
      try (Statement rollback = db.createStatement()) {
        rollback.execute("ROLLBACK");
      } catch (SQLException r) {
        e.addSuppressed(r); // SQLite may have rolled back already: the first failure is the one
      }
      throw e;
    }
  }

  @Override
  public synchronized Optional<byte[]> prekeys() throws IOException {
    try (PreparedStatement q = db.prepareStatement("SELECT body FROM v2_prekeys WHERE id = 1");
        ResultSet rs = q.executeQuery()) {
      return rs.next() ? Optional.of(open(rs.getBytes(1), PREKEYS_BINDING)) : Optional.empty();
    } catch (SQLException e) {
      throw failed("read this device's prekeys", e);
    }
  }

  @Override
  public synchronized void savePrekeys(byte[] prekeyState) throws IOException {
    byte[] sealed = key.seal(requireNonNull(prekeyState, "prekeyState"), PREKEYS_BINDING);
    try (PreparedStatement u =
        db.prepareStatement("INSERT OR REPLACE INTO v2_prekeys (id, body) VALUES (1, ?)")) {
      u.setBytes(1, sealed);
      u.executeUpdate();
    } catch (SQLException e) {
      throw failed("save this device's prekeys", e);
    }
  }

  private static final byte[] PREKEYS_BINDING = AtRestKey.binding("v2_prekeys", "1");

  private static byte[] sessionBinding(String peer, String device, String sessionId) {
    return AtRestKey.binding("v2_sessions", peer, device, sessionId);
  }

  private static byte[] ledgerBinding(String peer, String device) {
    return AtRestKey.binding("v2_ledgers", peer, device);
  }

  private static byte[] pendingBinding(String peer, String device, String sessionId) {
    return AtRestKey.binding("v2_sessions.pending", peer, device, sessionId);
  }

  private static byte[] entryBinding(String peer, String device, long seq) {
    return AtRestKey.binding("v2_ledger_entries", peer, device, Long.toString(seq));
  }

  /** {@code u16 certificate length | certificate | ratchet state}. */
  private static byte[] encodeSession(StoredSession s) {
    byte[] cert = s.peerCertificate();
    byte[] state = s.ratchetState();
    if (cert.length > 0xffff) {
      throw new IllegalArgumentException("a peer certificate of " + cert.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate(2 + cert.length + state.length);
    b.putShort((short) cert.length).put(cert).put(state);
    Arrays.fill(state, (byte) 0);
    return b.array();
  }

  private StoredSession decodeSession(
      String peer, String device, String sessionId, long lastUsed, byte[] plain)
      throws IOException {
    if (plain.length < 2) {
      throw damaged("a session");
    }
    int certLength = ((plain[0] & 0xff) << 8) | (plain[1] & 0xff);
    if (certLength == 0 || plain.length <= 2 + certLength) {
      throw damaged("a session");
    }
    byte[] cert = Arrays.copyOfRange(plain, 2, 2 + certLength);
    byte[] state = Arrays.copyOfRange(plain, 2 + certLength, plain.length);
    try {
      return new StoredSession(
          peer, HEX.parseHex(device), HEX.parseHex(sessionId), cert, state, lastUsed);
    } catch (IllegalArgumentException e) {
      throw damaged("a session");
    } finally {
      Arrays.fill(state, (byte) 0);
    }
  }

  private byte[] open(byte[] sealed, byte[] binding) throws IOException {
    try {
      return key.open(sealed, binding);
    } catch (AEADBadTagException e) {
      throw damaged("a record");
    }
  }

  private IOException damaged(String record) {
    return new IOException(
        record
            + " in "
            + what
            + " does not decrypt with this identity's key (damaged, or copied from elsewhere);"
            + " restore the data folder from a backup or remove it to start afresh");
  }

  private IOException failed(String doing, SQLException e) {
    return new IOException("cannot " + doing + " in " + what + ": " + e.getMessage(), e);
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      // closing: nothing left to do
    }
  }
}
