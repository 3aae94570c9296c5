package dev.ztchat.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import dev.ztchat.core.store.SqliteFiles;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * The client's local state: one SQLite file per identity ({@code client.db} in the data folder),
 * created 0600 in a 0700 folder, with a schema version and forward-only migrations. Holds the
 * pinned contact keys (version 1), the conversation history and the outbox of messages not yet
 * handed to the relay (version 2, their text encrypted with {@link AtRestKey}); the seen-message
 * cache lives beside it ({@code seen.db}).
 */
public final class ClientStore implements AutoCloseable {
  /** Schema version this code writes. */
  static final int SCHEMA_VERSION = 2;

  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

  private final Path dataDir;
  private final Connection db;

  private ClientStore(Path dataDir, Connection db) {
    this.dataDir = dataDir;
    this.db = db;
  }

  /** Opens (creating if needed) the store in {@code dataDir}. */
  public static ClientStore open(Path dataDir) throws IOException {
    ensurePrivateDir(dataDir);
    Path file = dataDir.resolve("client.db");
    Connection c = SqliteFiles.openPrivate(file, "the local store");
    try {
      try {
        migrate(c);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      return new ClientStore(dataDir, c);
    } catch (SQLException e) {
      throw new IOException("cannot set up the local store " + file + ": " + e.getMessage(), e);
    }
  }

  private static void migrate(Connection c) throws SQLException {
    SqliteFiles.migrate(c, SCHEMA_VERSION, "the local store", (s, from) -> {
      if (from < 1) {
        s.execute(
            "CREATE TABLE pins (name TEXT PRIMARY KEY, signing_key TEXT NOT NULL,"
                + " encryption_key TEXT NOT NULL, pinned_at INTEGER NOT NULL)");
      }
      if (from < 2) {
        s.execute(
            "CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, peer TEXT NOT NULL,"
                + " direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
                + " message_id TEXT NOT NULL, sent_at INTEGER NOT NULL, stored_at INTEGER NOT NULL,"
                + " state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'delivered', 'received')),"
                + " body BLOB NOT NULL, UNIQUE (direction, peer, message_id))");
        s.execute("CREATE INDEX history_by_peer ON history(peer, id)");
        s.execute(
            "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, token TEXT NOT NULL UNIQUE,"
                + " peer TEXT NOT NULL, created_at INTEGER NOT NULL, body BLOB NOT NULL,"
                + " message_id TEXT, envelope BLOB)");
        s.execute(
            "CREATE TABLE ack_ledger (sender TEXT NOT NULL, message_id TEXT NOT NULL,"
                + " processed_at INTEGER NOT NULL, confirmed INTEGER NOT NULL DEFAULT 0,"
                + " PRIMARY KEY (sender, message_id))");
      }
    });
  }

  /** Creates {@code dir} (and parents) and restricts it to its owner. */
  static void ensurePrivateDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
  }

  /** The SQLite file itself. */
  public Path file() {
    return dataDir.resolve("client.db");
  }

  public Path dataDir() {
    return dataDir;
  }

  Connection db() {
    return db;
  }

  @Override
  public void close() {
    try {
      db.close();
    } catch (SQLException e) {
      // closing: nothing left to do
    }
  }
}
