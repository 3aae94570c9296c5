package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.crypto.AEADBadTagException;

/**
 * The groups this device knows, in the client's {@link ClientStore} (schema 5, table {@code
 * groups}): each group's timeline (its current state and the changes waiting for the chain to
 * connect, docs/v2/groups.md) sealed with the {@link AtRestKey} and bound to its group id, so a row
 * cannot be moved to another group; and who has received each of my group messages (table {@code
 * group_receipts}).
 *
 * <p>What is protected: the group's name, members, admins and version. What is not: the group ids
 * and the number of groups, and for receipts the message ids and member names (as the conversation
 * history stores peers in clear). A row replaced by an older sealed copy of the same row (someone
 * who can write {@code client.db}) is not detected, as for every table of the store.
 *
 * <p>Thread-safe.
 */
final class GroupStore {
  private static final String TABLE = "groups";

  private final ClientStore store;
  private final AtRestKey key;
  private final Clock clock;

  GroupStore(ClientStore store, AtRestKey key, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.key = requireNonNull(key, "key");
    this.clock = requireNonNull(clock, "clock");
  }

  /** One stored group: its id (hex) and its encoded timeline, decrypted. */
  record Stored(String groupIdHex, byte[] timeline) {}

  /** Stores (or replaces) the encoded timeline of group {@code groupIdHex}. */
  void put(String groupIdHex, byte[] timeline) throws IOException {
    synchronized (store) {
      String id = ConversationHistory.checkedId(groupIdHex);
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "INSERT INTO groups(group_id, joined_at, body) VALUES (?, ?, ?) ON CONFLICT"
                      + " (group_id) DO UPDATE SET body = excluded.body")) {
        u.setString(1, id);
        u.setLong(2, clock.millis());
        u.setBytes(3, key.seal(timeline, AtRestKey.binding(TABLE, id)));
        u.executeUpdate();
      } catch (SQLException e) {
        throw failed("store", e);
      }
    }
  }

  /** The encoded timeline of group {@code groupIdHex}, if this device knows the group. */
  Optional<byte[]> get(String groupIdHex) throws IOException {
    synchronized (store) {
      String id = ConversationHistory.checkedId(groupIdHex);
      try (PreparedStatement q =
          store.db().prepareStatement("SELECT body FROM groups WHERE group_id = ?")) {
        q.setString(1, id);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next() ? Optional.of(open(id, rs.getBytes(1))) : Optional.empty();
        }
      } catch (SQLException e) {
        throw failed("read", e);
      }
    }
  }

  /** Every stored group, in the order this device learnt them. */
  List<Stored> all() throws IOException {
    synchronized (store) {
      List<Stored> out = new ArrayList<>();
      try (PreparedStatement q =
              store
                  .db()
                  .prepareStatement("SELECT group_id, body FROM groups ORDER BY joined_at, rowid");
          ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1);
          out.add(new Stored(id, open(id, rs.getBytes(2))));
        }
      } catch (SQLException e) {
        throw failed("read", e);
      }
      return out;
    }
  }

  /**
   * Records that {@code member} confirmed, with a signed receipt, that they received my group
   * message {@code messageIdHex}; false if it was recorded already.
   */
  boolean recordReceipt(String messageIdHex, String member) throws IOException {
    synchronized (store) {
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "INSERT INTO group_receipts(message_id, member, received_at) VALUES (?, ?, ?)"
                      + " ON CONFLICT (message_id, member) DO NOTHING")) {
        u.setString(1, ConversationHistory.checkedId(messageIdHex));
        u.setString(2, requireNonNull(member, "member"));
        u.setLong(3, clock.millis());
        return u.executeUpdate() == 1;
      } catch (SQLException e) {
        throw failed("store", e);
      }
    }
  }

  /** The members who confirmed receiving my group message {@code messageIdHex}, in that order. */
  List<String> receipts(String messageIdHex) throws IOException {
    synchronized (store) {
      List<String> out = new ArrayList<>();
      try (PreparedStatement q =
          store
              .db()
              .prepareStatement(
                  "SELECT member FROM group_receipts WHERE message_id = ? ORDER BY rowid")) {
        q.setString(1, ConversationHistory.checkedId(messageIdHex));
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      } catch (SQLException e) {
        throw failed("read", e);
      }
      return out;
    }
  }

  private byte[] open(String id, byte[] body) throws IOException {
    try {
      return key.open(body == null ? new byte[0] : body, AtRestKey.binding(TABLE, id));
    } catch (AEADBadTagException e) {
      throw new IOException(
          "the groups in "
              + store.file()
              + " were altered or damaged (group "
              + id
              + " fails its integrity check)");
    }
  }

  private IOException failed(String what, Exception e) {
    return new IOException(
        "cannot " + what + " the groups in " + store.file() + ": " + e.getMessage(), e);
  }
}
