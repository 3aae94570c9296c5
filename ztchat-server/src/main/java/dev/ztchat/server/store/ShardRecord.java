package dev.ztchat.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What one PostgreSQL database of the relay's store says about itself as a shard (table {@code
 * ztchat_shard}, one row): its shard name, a random UUID made when its schema was created, so that
 * the name does not depend on the host name or port a node reaches it by; and the ring it was last
 * used in ({@link HashRing#fingerprint}) and the name of that ring's home database (the first
 * {@code --store} URL), both null until a relay used it.
 *
 * <p>While {@link ShardMove} moves queues, the ring is {@link #MOVING} followed by the fingerprint
 * of the ring it moves them to, so that no relay starts on a store whose queues are half moved,
 * whichever list it is given.
 *
 * @param name this database's shard name
 * @param ring the fingerprint of the ring it was last used in, or null; or a move in progress
 * @param home the name of the home database of that ring, or null
 * @param holdsEnvelopes whether its queue holds any envelope (expired ones too)
 */
record ShardRecord(String name, String ring, String home, boolean holdsEnvelopes) {
  /** What {@link #ring} starts with while a move to another ring is in progress. */
  static final String MOVING = "moving:";

  /** The fingerprint of the ring a move in progress moves the queues to; null when none is. */
  String movingTo() {
    return ring != null && ring.startsWith(MOVING) ? ring.substring(MOVING.length()) : null;
  }

  /** Creates the table and names this database (schema version 5). */
  static void createTable(Statement s) throws SQLException {
    s.execute("CREATE TABLE ztchat_shard (name TEXT PRIMARY KEY, ring TEXT, home TEXT)");
    s.execute("INSERT INTO ztchat_shard (name) VALUES (gen_random_uuid()::text)");
  }

  /** Reads the record of the database {@code c} is connected to. */
  static ShardRecord read(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT name, ring, home, EXISTS (SELECT 1 FROM queue) FROM ztchat_shard LIMIT"
                    + " 1")) {
      if (!rs.next()) {
        throw new SQLException("the table ztchat_shard is empty: the database was altered by hand");
      }
      return new ShardRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4));
    }
  }

  /**
   * Records that the database {@code c} is connected to is used in the ring {@code ring}, whose
   * home is the database named {@code home}.
   */
  static void recordRing(Connection c, HashRing ring, String home) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("UPDATE ztchat_shard SET ring = ?, home = ?")) {
      p.setString(1, ring.fingerprint());
      p.setString(2, home);
      p.executeUpdate();
    }
  }

  /**
   * Records that the database {@code c} is connected to takes part in a move of the queues to the
   * ring {@code to}, until {@link #recordRing} records the ring at the move's end.
   */
  static void recordMoving(Connection c, HashRing to) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("UPDATE ztchat_shard SET ring = ?")) {
      p.setString(1, MOVING + to.fingerprint());
      p.executeUpdate();
    }
  }

  /** Every recipient with an envelope in the database {@code c} is connected to. */
  static List<String> recipients(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT DISTINCT recipient FROM queue ORDER BY recipient")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
