package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The prekey rules of docs/v2/prekeys.md section 4 in SQL, shared by the stores on SQLite ({@link
 * SqlitePrekeyStore}) and PostgreSQL ({@link PostgresPrekeyStore}): the tables are the same; what
 * differs between the databases is in {@link Dialect}, and how a transaction is run (and kept from
 * interleaving with another) is each store's {@link #transaction}.
 */
abstract class JdbcPrekeyStore implements PrekeyStore {
  /** The SQL that differs between the databases. */
  interface Dialect {
    /** The column that orders devices registered in the same millisecond. */
    String insertionOrder();

    /** What follows {@code LIMIT} to mean no limit (before {@code OFFSET}). */
    String allRows();

    /**
     * Deletes and returns the lowest one-time prekey of a device, once even against concurrent
     * callers; parameters: owner, device, owner, device.
     */
    String takeOneTime();

    /** Inside a publishing transaction: waits for other publications of {@code owner}'s. */
    void lockOwner(Connection c, String owner) throws SQLException;
  }

  /** Work inside one transaction on {@code c}. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException, PrekeyRefusedException;
  }

  private final Dialect dialect;
  private final Clock clock;
  private final int maxOneTime;

  JdbcPrekeyStore(Dialect dialect, int maxOneTime, Clock clock) {
    this.dialect = requireNonNull(dialect, "dialect");
    this.clock = requireNonNull(clock, "clock");
    if (maxOneTime < 1) {
      throw new IllegalArgumentException("maxOneTime must be at least 1");
    }
    this.maxOneTime = maxOneTime;
  }

  /**
   * Runs {@code work} in one transaction that no other caller's prekey change interleaves with:
   * committed on return, rolled back on throw; a database failure as an IOException naming {@code
   * what}.
   */
  abstract <T> T transaction(String what, Work<T> work) throws IOException, PrekeyRefusedException;

  private <T> T readOnly(String what, Work<T> work) throws IOException {
    try {
      return transaction(what, work);
    } catch (PrekeyRefusedException e) {
      throw new IllegalStateException(e); // reads refuse nothing
    }
  }

  @Override
  public DevicePrekeys publish(PrekeyUpload u) throws IOException, PrekeyRefusedException {
    requireNonNull(u, "upload");
    return transaction(
        "storing prekeys",
        c -> {
          dialect.lockOwner(c, u.owner());
          byte[] device = u.device();
          if (u.certificate() != null) {
            register(c, u.owner(), device, u.certificate());
          }
          Row row = row(c, u.owner(), device);
          if (row == null) {
            throw new PrekeyRefusedException(
                PrekeyRefusedException.Reason.UNKNOWN_DEVICE,
                "the relay holds no certificate of this device: publish it with the prekeys");
          }
          if (u.signedPrekey() != null) {
            replace(c, u.owner(), device, "signed", row.signedId, row.signed, u.signedPrekey());
          }
          if (u.lastResort() != null) {
            replace(
                c,
                u.owner(),
                device,
                "last_resort",
                row.lastResortId,
                row.lastResort,
                u.lastResort());
          }
          addOneTime(c, u.owner(), device, row.nextOneTimeId, u);
          return stockOf(c, u.owner(), device).orElseThrow();
        });
  }

  private void register(Connection c, String owner, byte[] device, byte[] certificate)
      throws SQLException {
    if (row(c, owner, device) != null) {
      return; // the same certificate again: nothing changes
    }
    // several devices per user (docs/v2/devices.md): a new device joins the earlier ones; past
    // MAX_DEVICES the one registered first goes, with its prekeys
    try (PreparedStatement i =
        c.prepareStatement(
            "INSERT INTO prekey_devices (owner, device, certificate, registered_at,"
                + " next_one_time_id) VALUES (?, ?, ?, ?, 0)")) {
      i.setString(1, owner);
      i.setBytes(2, device);
      i.setBytes(3, certificate);
      i.setLong(4, clock.millis());
      i.executeUpdate();
    }
    try (PreparedStatement old =
            c.prepareStatement(
                "SELECT device FROM prekey_devices WHERE owner = ? ORDER BY registered_at DESC, "
                    + dialect.insertionOrder()
                    + " DESC LIMIT "
                    + dialect.allRows()
                    + " OFFSET ?");
        PreparedStatement d =
            c.prepareStatement("DELETE FROM prekey_one_time WHERE owner = ? AND device = ?");
        PreparedStatement e =
            c.prepareStatement("DELETE FROM prekey_devices WHERE owner = ? AND device = ?")) {
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
      Connection c,
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
        c.prepareStatement(
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

  private void addOneTime(Connection c, String owner, byte[] device, long nextId, PrekeyUpload u)
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
      } else if (!p.sameEncoding(oneTimeEncoding(c, owner, device, p.id()))) {
        // below the next id and not a retry of one still stored: it may have been handed out
        throw new PrekeyRefusedException(
            PrekeyRefusedException.Reason.REUSED_ID,
            "one-time prekey id "
                + PublishedPrekey.idText(p.id())
                + " was published before; new ids start at "
                + PublishedPrekey.idText(nextId));
      }
    }
    int stored = countOneTime(c, owner, device);
    if (stored + fresh > maxOneTime) {
      throw new PrekeyRefusedException(
          PrekeyRefusedException.Reason.FULL,
          "the relay keeps at most "
              + maxOneTime
              + " one-time prekeys per device and holds "
              + stored);
    }
    try (PreparedStatement i =
        c.prepareStatement(
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
          c.prepareStatement(
              "UPDATE prekey_devices SET next_one_time_id = ? WHERE owner = ? AND device = ?")) {
        p.setLong(1, highest + 1);
        p.setString(2, owner);
        p.setBytes(3, device);
        p.executeUpdate();
      }
    }
  }

  private byte[] oneTimeEncoding(Connection c, String owner, byte[] device, long id)
      throws SQLException {
    try (PreparedStatement q =
        c.prepareStatement(
            "SELECT prekey FROM prekey_one_time WHERE owner = ? AND device = ? AND id = ?")) {
      q.setString(1, owner);
      q.setBytes(2, device);
      q.setLong(3, id);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    }
  }

  private int countOneTime(Connection c, String owner, byte[] device) throws SQLException {
    try (PreparedStatement q =
        c.prepareStatement("SELECT COUNT(*) FROM prekey_one_time WHERE owner = ? AND device = ?")) {
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

  private Row row(Connection c, String owner, byte[] device) throws SQLException {
    try (PreparedStatement q =
        c.prepareStatement(
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

  private Optional<DevicePrekeys> stockOf(Connection c, String owner, byte[] device)
      throws SQLException {
    Row row = row(c, owner, device);
    if (row == null) {
      return Optional.empty();
    }
    return Optional.of(
        new DevicePrekeys(
            countOneTime(c, owner, device),
            maxOneTime,
            row.signedId == null ? OptionalLong.empty() : OptionalLong.of(row.signedId),
            row.lastResortId == null ? OptionalLong.empty() : OptionalLong.of(row.lastResortId),
            row.nextOneTimeId));
  }

  @Override
  public Optional<DevicePrekeys> stock(String owner, byte[] device) throws IOException {
    return readOnly("reading prekeys", c -> stockOf(c, owner, device));
  }

  @Override
  public List<StoredDevice> devices(String owner) throws IOException {
    return readOnly(
        "reading devices",
        c -> {
          try (PreparedStatement q =
              c.prepareStatement(
                  "SELECT device, certificate FROM prekey_devices WHERE owner = ? ORDER BY"
                      + " registered_at DESC, "
                      + dialect.insertionOrder()
                      + " DESC")) {
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
  public Optional<StoredDevice> currentDevice(String owner) throws IOException {
    return readOnly(
        "reading devices",
        c -> {
          try (PreparedStatement q =
              c.prepareStatement(
                  "SELECT device, certificate FROM prekey_devices WHERE owner = ? ORDER BY"
                      + " registered_at DESC, "
                      + dialect.insertionOrder()
                      + " DESC LIMIT 1")) {
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
  public Optional<HandedOutBundle> take(String owner, byte[] device, boolean oneTimeAllowed)
      throws IOException {
    return readOnly(
        "handing out prekeys",
        c -> {
          Row row = row(c, owner, device);
          if (row == null || row.signed == null) {
            return Optional.empty();
          }
          if (oneTimeAllowed) {
            try (PreparedStatement d = c.prepareStatement(dialect.takeOneTime())) {
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
}
