package dev.ztchat.client;

import dev.ztchat.core.store.SqliteFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * The client's local state: one SQLite file per identity ({@code client.db} in the data folder),
 * created 0600 in a 0700 folder, with a schema version and forward-only migrations. Holds the
 * pinned contact keys (version 1), the conversation history and the outbox of messages not yet
 * handed to the relay (version 2, their text encrypted with {@link AtRestKey}), and the version-2
 * state (version 3: sessions, conversation ledgers and prekeys, encrypted with {@link AtRestKey},
 * see {@link SqliteSessionStore}; the peers' envelope versions and devices; version 4: a row per
 * unconfirmed message of a ledger; version 5: groups and their receipts; version 6: beside a group
 * text of mine that reached some members only, whom it did not reach and why, sealed; version 7:
 * the forwardable records of the groups' changes, see {@link GroupRecordStore}); the seen-message
 * cache lives beside it ({@code seen.db}).
 *
 * <p>The store holds the folder's {@link IdentityLock} while open: one process per identity. At
 * open, the folder is (re)set to 0700 and every file in it to 0600, so state left by an older
 * version with wider modes is tightened.
 */
public final class ClientStore implements AutoCloseable {
  /** Schema version this code writes. */
  static final int SCHEMA_VERSION = 7;

  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");

  private final Path dataDir;
  private final Connection db;
  private final IdentityLock lock;

  private ClientStore(Path dataDir, Connection db, IdentityLock lock) {
    this.dataDir = dataDir;
    this.db = db;
    this.lock = lock;
  }

  /**
   * Opens (creating if needed) the store in {@code dataDir}, named after the folder in messages.
   */
  public static ClientStore open(Path dataDir) throws IOException {
    return open(dataDir, dataDir.getFileName().toString());
  }

  /**
   * Opens (creating if needed) the store of {@code identity} in {@code dataDir}; throws {@link
   * IdentityInUseException} if another process (or another open store) holds it.
   */
  public static ClientStore open(Path dataDir, String identity) throws IOException {
    ensurePrivateDir(dataDir);
    IdentityLock lock = IdentityLock.acquire(dataDir, identity);
    try {
      tightenFiles(dataDir);
      Path file = dataDir.resolve("client.db");
      Connection c = SqliteFiles.openPrivate(file, "the local store");
      try {
        try {
          migrate(c);
        } catch (SQLException e) {
          c.close();
          throw e;
        }
        return new ClientStore(dataDir, c, lock);
      } catch (SQLException e) {
        throw new IOException("cannot set up the local store " + file + ": " + e.getMessage(), e);
      }
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private static void migrate(Connection c) throws SQLException {
    SqliteFiles.migrate(
        c,
        SCHEMA_VERSION,
        "the local store",
        (s, from) -> {
          if (from < 1) {
            s.execute(
                "CREATE TABLE pins (name TEXT PRIMARY KEY, signing_key TEXT NOT NULL,"
                    + " encryption_key TEXT NOT NULL, pinned_at INTEGER NOT NULL)");
          }
          if (from < 2) {
            s.execute(
                "CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, peer TEXT NOT NULL,"
                    + " direction TEXT NOT NULL CHECK (direction IN ('in', 'out')), message_id TEXT"
                    + " NOT NULL, sent_at INTEGER NOT NULL, stored_at INTEGER NOT NULL, state TEXT"
                    + " NOT NULL CHECK (state IN ('pending', 'sent', 'delivered', 'received')),"
                    + " body BLOB NOT NULL, UNIQUE (direction, peer, message_id))");
            s.execute("CREATE INDEX history_by_peer ON history(peer, id)");
            s.execute(
                "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, token TEXT NOT NULL"
                    + " UNIQUE, peer TEXT NOT NULL, created_at INTEGER NOT NULL, body BLOB NOT"
                    + " NULL, message_id TEXT, envelope BLOB)");
            s.execute(
                "CREATE TABLE ack_ledger (sender TEXT NOT NULL, message_id TEXT NOT NULL,"
                    + " processed_at INTEGER NOT NULL, confirmed INTEGER NOT NULL DEFAULT 0,"
                    + " PRIMARY KEY (sender, message_id))");
          }
          if (from < 3) {
            s.execute(
                "CREATE TABLE v2_sessions (peer TEXT NOT NULL, device TEXT NOT NULL, session_id"
                    + " TEXT NOT NULL, last_used INTEGER NOT NULL, body BLOB NOT NULL,"
                    + " PRIMARY KEY (peer, device, session_id))");
            s.execute(
                "CREATE TABLE v2_ledgers (peer TEXT NOT NULL, device TEXT NOT NULL, body BLOB NOT"
                    + " NULL, PRIMARY KEY (peer, device))");
            s.execute(
                "CREATE TABLE v2_prekeys (id INTEGER PRIMARY KEY CHECK (id = 1), body BLOB NOT"
                    + " NULL)");
            s.execute(
                "CREATE TABLE peer_versions (peer TEXT PRIMARY KEY, lowest INTEGER NOT NULL)");
            s.execute(
                "CREATE TABLE peer_devices (peer TEXT PRIMARY KEY, device TEXT NOT NULL,"
                    + " learnt_at INTEGER NOT NULL)");
          }
          if (from < 4) {
            // A ledger's unconfirmed messages get a row each; the head row gets a generation.
            s.execute("ALTER TABLE v2_ledgers ADD COLUMN generation INTEGER NOT NULL DEFAULT 0");
            s.execute(
                "CREATE TABLE v2_ledger_entries (peer TEXT NOT NULL, device TEXT NOT NULL, seq"
                    + " INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (peer, device, seq))");
          }
          if (from < 5) {
            s.execute(
                "CREATE TABLE groups (group_id TEXT PRIMARY KEY, joined_at INTEGER NOT NULL,"
                    + " body BLOB NOT NULL)");
            s.execute(
                "CREATE TABLE group_receipts (message_id TEXT NOT NULL, member TEXT NOT NULL,"
                    + " received_at INTEGER NOT NULL, PRIMARY KEY (message_id, member))");
            // A started session's initial-message header, kept until the peer answers.
            s.execute("ALTER TABLE v2_sessions ADD COLUMN pending BLOB");
          }
          if (from < 6) {
            // A group text of mine that reached some members only: who not, and why (sealed).
            s.execute("ALTER TABLE history ADD COLUMN partial BLOB");
          }
          if (from < 7) {
            // The records of the changes each group's state was reached by (groups.md 6.6).
            s.execute(
                "CREATE TABLE group_records (id INTEGER PRIMARY KEY AUTOINCREMENT, group_id TEXT"
                    + " NOT NULL, state_hash TEXT NOT NULL, prev_hash TEXT NOT NULL, version"
                    + " INTEGER NOT NULL, body BLOB NOT NULL, UNIQUE (group_id, state_hash))");
          }
        });
  }

  /**
   * Creates {@code dir} and restricts it to its owner. Parents it has to create are made 0700 too;
   * parents that exist are left alone (see {@link #ensurePrivateFolders} for a tree ztchat owns).
   */
  static void ensurePrivateDir(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    Path parent = absolute.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      ensurePrivateDir(parent);
    }
    if (!Files.isDirectory(absolute)) {
      try {
        Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
      } catch (FileAlreadyExistsException e) {
        // created meanwhile (or a file: setPosixFilePermissions and the store then say so)
      }
    }
    Files.setPosixFilePermissions(absolute, OWNER_ONLY_DIR);
  }

  /**
   * Makes every folder from {@code top} down to {@code dataDir} (which must lie inside it) exist
   * with mode 0700, tightening those that are wider: e.g. {@code ~/.ztchat}, {@code
   * ~/.ztchat/CA-ID} and {@code ~/.ztchat/CA-ID/NAME}, whose names alone say which identities use
   * this account.
   */
  public static void ensurePrivateFolders(Path top, Path dataDir) throws IOException {
    Path root = top.toAbsolutePath().normalize();
    Path leaf = dataDir.toAbsolutePath().normalize();
    if (!leaf.startsWith(root)) {
      throw new IllegalArgumentException(leaf + " is not inside " + root);
    }
    ensurePrivateDir(root);
    Path p = root;
    for (Path part : root.relativize(leaf)) {
      p = p.resolve(part);
      ensurePrivateDir(p);
    }
  }

  /** Files left by an older version, or copied in, are set to 0600; links are not followed. */
  private static void tightenFiles(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(f, OWNER_ONLY_FILE);
        }
      }
    }
  }

  /** The SQLite file itself. */
  public Path file() {
    return dataDir.resolve("client.db");
  }

  public Path dataDir() {
    return dataDir;
  }

  /**
   * The one connection that the history, outbox, groups, pins, acks, device sets and peer versions
   * share. Callers hold this store's monitor ({@code synchronized (store)}) from preparing a
   * statement until it is closed: in WAL mode, one thread's statement still in progress keeps a
   * read snapshot open on the connection, and another thread's write on it then fails at once with
   * SQLITE_BUSY_SNAPSHOT when the session store's own connection wrote meanwhile (and can leave a
   * transaction open that locks client.db for every later write).
   */
  Connection db() {
    return db;
  }

  @Override
  public void close() {
    try {
      db.close();
    } catch (SQLException e) {
      // closing: nothing left to do
    } finally {
      lock.close();
    }
  }
}
