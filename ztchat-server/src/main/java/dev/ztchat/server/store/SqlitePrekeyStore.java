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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@link PrekeyStore} in the relay's SQLite store ({@code relay.db}, WAL, {@code synchronous=FULL},
 * the tables created by the store's one migration routine), on a connection of its own so that the
 * envelope store's batches and prekey requests do not wait for each other's threads; SQLite
 * serialises the writes. Every change runs in one {@code BEGIN IMMEDIATE} transaction, so a
 * one-time prekey is deleted and read in one step that no other connection or process can
 * interleave with, and is gone for good once the transaction commits (before the relay answers).
 *
 * <p>Thread-safe: every method holds the store's lock.
 */
public final class SqlitePrekeyStore implements PrekeyStore {
  /** Devices kept per user at most; registering one more drops the one registered first. */
  public static final int MAX_DEVICES = 16;

  /** Default most one-time prekeys kept per device. */
  public static final int DEFAULT_MAX_ONE_TIME = 100;

  private final Connection db;
  private final Clock clock;
  private final int maxOneTime;

  private SqlitePrekeyStore(Connection db, Clock clock, int maxOneTime) {
    this.db = db;
    this.clock = clock;
    this.maxOneTime = maxOneTime;
  }

  /**
   * Opens the prekey tables of the relay's store in {@code dataDir} (creating and migrating the
   * store as needed).
   */
  public static SqlitePrekeyStore open(Path dataDir, int maxOneTime, Clock clock)
      throws IOException {
    requireNonNull(clock, "clock");
    if (maxOneTime < 1) {
      throw new IllegalArgumentException("maxOneTime must be at least 1");
    }
    Path file = dataDir.resolve("relay.db");
    Connection c =
        SqliteFiles.openPrivate(
            file, "the relay's store (another server on the same --data folder?)");
    try {
      SqliteOfflineQueue.migrate(c);
      return new SqlitePrekeyStore(c, clock, maxOneTime);
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the original failure is what matters
      }
      throw new IOException("cannot set up the relay's store " + file + ": " + e.getMessage(), e);
    }
  }

  /** The tables, created by the store's migration to schema 3. */
  static void createTables(Statement s) throws SQLException {
    s.execute(
        "CREATE TABLE prekey_devices (owner TEXT NOT NULL, device BLOB NOT NULL, certificate BLOB"
            + " NOT NULL, registered_at INTEGER NOT NULL, signed_id INTEGER, signed_prekey BLOB,"
            + " last_resort_id INTEGER, last_resort BLOB, next_one_time_id INTEGER NOT NULL,"
            + " PRIMARY KEY (owner, device))");
    s.execute(
        "CREATE TABLE prekey_one_time (owner TEXT NOT NULL, device BLOB NOT NULL, id INTEGER NOT"
            + " NULL, prekey BLOB NOT NULL, PRIMARY KEY (owner, device, id))");
  }

  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException, PrekeyRefusedException;
  }

  /** Runs {@code work} in one immediate transaction: committed on return, rolled back on throw. */
  private <T> T transaction(String what, Work<T> work) throws IOException, PrekeyRefusedException {
    try (Statement s = db.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      try {
        T result = work.run();
        s.execute("COMMIT");
        return result;
      } catch (SQLException | PrekeyRefusedException | RuntimeException e) {
        try {
          s.execute("ROLLBACK");
        } catch (SQLException ignored) {
          // the original failure is what matters
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new IOException(what + " failed: " + e.getMessage(), e);
    }
  }

  private <T> T readOnly(String what, Work<T> work) throws IOException {
    try {
      return transaction(what, work);
    } catch (PrekeyRefusedException e) {
      throw new IllegalStateException(e); // reads refuse nothing
    }
  }

  @Override
  public synchronized DevicePrekeys publish(PrekeyUpload u)
      throws IOException, PrekeyRefusedException {
    requireNonNull(u, "upload");
    return transaction(
        "storing prekeys",
        () -> {
          byte[] device = u.device();
          if (u.certificate() != null) {
            register(u.owner(), device, u.certificate());
          }
          Row row = row(u.owner(), device);
          if (row == null) {
            throw new PrekeyRefusedException(
                PrekeyRefusedException.Reason.UNKNOWN_DEVICE,
                "the relay holds no certificate of this device: publish it with the prekeys");
          }
          if (u.signedPrekey() != null) {
            replace(u.owner(), device, "signed", row.signedId, row.signed, u.signedPrekey());
          }
          if (u.lastResort() != null) {
            replace(
                u.owner(), device, "last_resort", row.lastResortId, row.lastResort, u.lastResort());
          }
          addOneTime(u.owner(), device, row.nextOneTimeId, u);
          return stockOf(u.owner(), device).orElseThrow();
        });
  }

  private void register(String owner, byte[] device, byte[] certificate) throws SQLException {
    if (row(owner, device) != null) {
      return; // the same certificate again: nothing changes
    }
    // several devices per user (docs/v2/devices.md): a new device joins the earlier ones; past
    // MAX_DEVICES the one registered first goes, with its prekeys
    try (PreparedStatement i =
        db.prepareStatement(
            "INSERT INTO prekey_devices (owner, device, certificate, registered_at,"
                + " next_one_time_id) VALUES (?, ?, ?, ?, 0)")) {
      i.setString(1, owner);
      i.setBytes(2, device);
      i.setBytes(3, certificate);
      i.setLong(4, clock.millis());
      i.executeUpdate();
    }
    try (PreparedStatement old =
            db.prepareStatement(
                "SELECT device FROM prekey_devices WHERE owner = ? ORDER BY registered_at DESC,"
                    + " rowid DESC LIMIT -1 OFFSET ?");
        PreparedStatement d =
            db.prepareStatement("DELETE FROM prekey_one_time WHERE owner = ? AND device = ?");
        PreparedStatement e =
            db.prepareStatement("DELETE FROM prekey_devices WHERE owner = ? AND device = ?")) {
      old.setString(1, owner);
      old.setInt(2, MAX_DEVICES);
      List<byte[]> gone = new ArrayList<>();
      try (ResultSet rs = old.executeQuery()) {
        while (rs.next()) {
          gone.add(rs.getBytes(1));
        }
      }
      for (byte[] g : gone) {
        d.setString(1, owner);
        d.setBytes(2, g);
        d.executeUpdate();
        e.setString(1, owner);
        e.setBytes(2, g);
        e.executeUpdate();
      }
    }
  }

  /**
   * Replaces the signed or last-resort prekey by a newer one; the same one again changes nothing.
   */
  private void replace(
      String owner,
      byte[] device,
      String column,
      Long currentId,
      byte[] current,
      PublishedPrekey fresh)
      throws SQLException, PrekeyRefusedException {
    if (currentId != null && fresh.id() <= currentId) {
      if (fresh.id() == currentId && fresh.sameEncoding(current)) {
        return; // a retry of what is stored
      }
      throw new PrekeyRefusedException(
          PrekeyRefusedException.Reason.REUSED_ID,
          (column.equals("signed") ? "signed" : "last-resort")
              + " prekey id "
              + PublishedPrekey.idText(fresh.id())
              + " is not above the stored one, "
              + PublishedPrekey.idText(currentId));
    }
    try (PreparedStatement p =
        db.prepareStatement(
            "UPDATE prekey_devices SET "
                + column
                + "_id = ?, "
                + (column.equals("signed") ? "signed_prekey" : "last_resort")
                + " = ? WHERE owner = ? AND device = ?")) {
      p.setLong(1, fresh.id());
      p.setBytes(2, fresh.encoded());
      p.setString(3, owner);
      p.setBytes(4, device);
      p.executeUpdate();
    }
  }

  private void addOneTime(String owner, byte[] device, long nextId, PrekeyUpload u)
      throws SQLException, PrekeyRefusedException {
    if (u.oneTime().isEmpty()) {
      return;
    }
    Set<Long> ids = new HashSet<>();
    int fresh = 0;
    long highest = -1;
    for (PublishedPrekey p : u.oneTime()) {
      if (!ids.add(p.id())) {
        throw new PrekeyRefusedException(
            PrekeyRefusedException.Reason.MALFORMED,
            "one-time prekey id " + PublishedPrekey.idText(p.id()) + " appears twice");
      }
      if (p.id() >= nextId) {
        fresh++;
        highest = Math.max(highest, p.id());
      } else if (!p.sameEncoding(oneTimeEncoding(owner, device, p.id()))) {
        // below the next id and not a retry of one still stored: it may have been handed out
        throw new PrekeyRefusedException(
            PrekeyRefusedException.Reason.REUSED_ID,
            "one-time prekey id "
                + PublishedPrekey.idText(p.id())
                + " was published before; new ids start at "
                + PublishedPrekey.idText(nextId));
      }
    }
    int stored = countOneTime(owner, device);
    if (stored + fresh > maxOneTime) {
      throw new PrekeyRefusedException(
          PrekeyRefusedException.Reason.FULL,
          "the relay keeps at most "
              + maxOneTime
              + " one-time prekeys per device and holds "
              + stored);
    }
    try (PreparedStatement i =
        db.prepareStatement(
            "INSERT INTO prekey_one_time (owner, device, id, prekey) VALUES (?, ?, ?, ?)")) {
      for (PublishedPrekey p : u.oneTime()) {
        if (p.id() >= nextId) {
          i.setString(1, owner);
          i.setBytes(2, device);
          i.setLong(3, p.id());
          i.setBytes(4, p.encoded());
          i.executeUpdate();
        }
      }
    }
    if (highest >= 0) {
      try (PreparedStatement p =
          db.prepareStatement(
              "UPDATE prekey_devices SET next_one_time_id = ? WHERE owner = ? AND device = ?")) {
        p.setLong(1, highest + 1);
        p.setString(2, owner);
        p.setBytes(3, device);
        p.executeUpdate();
      }
    }
  }

  private byte[] oneTimeEncoding(String owner, byte[] device, long id) throws SQLException {
    try (PreparedStatement q =
        db.prepareStatement(
            "SELECT prekey FROM prekey_one_time WHERE owner = ? AND device = ? AND id = ?")) {
      q.setString(1, owner);
      q.setBytes(2, device);
      q.setLong(3, id);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    }
  }

  private int countOneTime(String owner, byte[] device) throws SQLException {
    try (PreparedStatement q =
        db.prepareStatement(
            "SELECT COUNT(*) FROM prekey_one_time WHERE owner = ? AND device = ?")) {
      q.setString(1, owner);
      q.setBytes(2, device);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** One device's row. */
  private record Row(
      Long signedId, byte[] signed, Long lastResortId, byte[] lastResort, long nextOneTimeId) {}

  private Row row(String owner, byte[] device) throws SQLException {
    try (PreparedStatement q =
        db.prepareStatement(
            "SELECT signed_id, signed_prekey, last_resort_id, last_resort, next_one_time_id FROM"
                + " prekey_devices WHERE owner = ? AND device = ?")) {
      q.setString(1, owner);
      q.setBytes(2, device);
      try (ResultSet rs = q.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Long signedId = rs.getObject(1) == null ? null : rs.getLong(1);
        byte[] signed = rs.getBytes(2);
        Long lastResortId = rs.getObject(3) == null ? null : rs.getLong(3);
        return new Row(signedId, signed, lastResortId, rs.getBytes(4), rs.getLong(5));
      }
    }
  }

  private Optional<DevicePrekeys> stockOf(String owner, byte[] device) throws SQLException {
    Row row = row(owner, device);
    if (row == null) {
      return Optional.empty();
    }
    return Optional.of(
        new DevicePrekeys(
            countOneTime(owner, device),
            maxOneTime,
            row.signedId == null ? OptionalLong.empty() : OptionalLong.of(row.signedId),
            row.lastResortId == null ? OptionalLong.empty() : OptionalLong.of(row.lastResortId),
            row.nextOneTimeId));
  }

  @Override
  public synchronized Optional<DevicePrekeys> stock(String owner, byte[] device)
      throws IOException {
    return readOnly("reading prekeys", () -> stockOf(owner, device));
  }

  @Override
  public synchronized List<StoredDevice> devices(String owner) throws IOException {
    return readOnly(
        "reading devices",
        () -> {
          try (PreparedStatement q =
              db.prepareStatement(
                  "SELECT device, certificate FROM prekey_devices WHERE owner = ? ORDER BY"
                      + " registered_at DESC, rowid DESC")) {
            q.setString(1, owner);
            List<StoredDevice> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
              while (rs.next()) {
                out.add(new StoredDevice(owner, rs.getBytes(1), rs.getBytes(2)));
              }
            }
            return out;
          }
        });
  }

  @Override
  public synchronized Optional<StoredDevice> currentDevice(String owner) throws IOException {
    return readOnly(
        "reading devices",
        () -> {
          try (PreparedStatement q =
              db.prepareStatement(
                  "SELECT device, certificate FROM prekey_devices WHERE owner = ? ORDER BY"
                      + " registered_at DESC, rowid DESC LIMIT 1")) {
            q.setString(1, owner);
            try (ResultSet rs = q.executeQuery()) {
              return rs.next()
                  ? Optional.of(new StoredDevice(owner, rs.getBytes(1), rs.getBytes(2)))
                  : Optional.<StoredDevice>empty();
            }
          }
        });
  }

  @Override
  public synchronized Optional<HandedOutBundle> take(
      String owner, byte[] device, boolean oneTimeAllowed) throws IOException {
    return readOnly(
        "handing out prekeys",
        () -> {
          Row row = row(owner, device);
          if (row == null || row.signed == null) {
            return Optional.empty();
          }
          if (oneTimeAllowed) {
            try (PreparedStatement d =
                db.prepareStatement(
                    "DELETE FROM prekey_one_time WHERE owner = ? AND device = ? AND id = (SELECT"
                        + " MIN(id) FROM prekey_one_time WHERE owner = ? AND device = ?)"
                        + " RETURNING prekey")) {
              d.setString(1, owner);
              d.setBytes(2, device);
              d.setString(3, owner);
              d.setBytes(4, device);
              try (ResultSet rs = d.executeQuery()) {
                if (rs.next()) {
                  return Optional.of(new HandedOutBundle(row.signed, rs.getBytes(1), false));
                }
              }
            }
          }
          return row.lastResort == null
              ? Optional.<HandedOutBundle>empty()
              : Optional.of(new HandedOutBundle(row.signed, row.lastResort, true));
        });
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException ignored) {
      // closing
    }
  }
}
