package dev.ztchat.core.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Set;

/**
 * The one way ztchat opens its SQLite files (the relay's queue, a client's state and seen-message
 * cache): the file is created 0600 before SQLite touches it (its folder 0700 when created here),
 * never followed through a symbolic link, and opened in WAL mode with {@code synchronous=FULL}, so
 * a commit is on disk when it returns.
 */
public final class SqliteFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private SqliteFiles() {}

  /** Opens (creating) {@code file} as described; {@code what} names it in error messages. */
  public static Connection openPrivate(Path file, String what) throws IOException {
    Path absolute = file.toAbsolutePath();
    prepare(absolute);
    try {
      // Write transactions take the write lock when they begin: a deferred one that read first
      // cannot upgrade once another connection to the file committed (SQLITE_BUSY at once, the
      // busy timeout notwithstanding), and two stores share relay.db.
      Properties properties = new Properties();
      properties.setProperty("transaction_mode", "IMMEDIATE");
      Connection db = DriverManager.getConnection("jdbc:sqlite:" + absolute, properties);
      try (Statement st = db.createStatement()) {
        st.execute("PRAGMA busy_timeout = 5000");
        try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
          if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
            throw new IOException(file + ": SQLite refused WAL journaling");
          }
        }
        st.execute("PRAGMA synchronous = FULL");
      } catch (SQLException | IOException e) {
        db.close();
        throw e;
      }
      return db;
    } catch (SQLException e) {
      throw new IOException(
          "cannot open "
              + what
              + " "
              + file
              + ": "
              + e.getMessage()
              + " (is another ztchat process using it?)",
          e);
    }
  }

  /** The schema changes from one version to the next; {@code from} is the version found. */
  @FunctionalInterface
  public interface Migration {
    void apply(Statement s, int from) throws SQLException;
  }

  /**
   * Brings a database to schema {@code target}: reads the version kept in the {@code meta} table (0
   * for a new file), refuses a newer one, and runs {@code steps} and records the new version in one
   * transaction, so a crash mid-migration leaves the previous version intact.
   */
  public static void migrate(Connection c, int target, String what, Migration steps)
      throws SQLException {
    int version = 0;
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
        if (rs.next()) {
          version = Integer.parseInt(rs.getString(1));
        }
      }
    }
    if (version > target) {
      throw new SQLException(
          what + " was written by a newer ztchat (schema " + version + "); upgrade ztchat");
    }
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      steps.apply(s, version);
      s.execute(
          "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '" + target + "')");
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static void prepare(Path file) throws IOException {
    Path dir = file.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (FileAlreadyExistsException e) {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(
            file + " exists and is not a regular file: remove it or choose another");
      }
    }
    // The umask may have cleared bits, and an existing file may be wider: set the mode exactly.
    Files.setPosixFilePermissions(file, OWNER_ONLY);
  }
}
