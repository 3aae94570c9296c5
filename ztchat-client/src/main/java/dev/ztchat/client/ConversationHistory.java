package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.HistoryEntry.Direction;
import dev.ztchat.client.HistoryEntry.State;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.AEADBadTagException;

/**
 * The durable history of each conversation, in the client's {@link ClientStore}: what was received
 * from and sent to each peer, so the terminal can show recent messages when a conversation is
 * opened, and so a redelivered message is recognised as already processed.
 *
 * <p>What is protected: the message text, sealed with the {@link AtRestKey} and bound to its row
 * (direction, peer, message id and timestamp), so a text cannot be moved to another row or shown
 * under another sender or time; and the note of a group text that reached some members only ({@link
 * PartialDelivery}: it names members, which the group's own row keeps sealed too), sealed and bound
 * to its message. What is not: the peer names, message ids, timestamps, states and the number and
 * size of messages are stored in clear, so anyone who can read {@code client.db} learns who the
 * user talked to and when. The delivery state is not bound either (it changes after the row is
 * written).
 *
 * <p>Thread-safe.
 */
final class ConversationHistory {
  /** The most entries one call to {@link #recent} returns. */
  public static final int MAX_RECENT = 10_000;

  private static final String TABLE = "history";

  private final ClientStore store;
  private final AtRestKey key;
  private final Clock clock;

  public ConversationHistory(ClientStore store, AtRestKey key, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.key = requireNonNull(key, "key");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Stores a message received from {@code peer} (after it passed every check). Returns {@code
   * false}, and stores nothing, if a message with this id from this peer is already stored: a
   * redelivered copy.
   */
  public boolean recordIncoming(String peer, String messageIdHex, Instant sentAt, String text)
      throws IOException {
    synchronized (store) {
      return insert(Direction.IN, State.RECEIVED, peer, messageIdHex, sentAt, text);
    }
  }

  /** Whether a message with this id from {@code peer} is already stored. */
  public boolean hasIncoming(String peer, String messageIdHex) throws IOException {
    synchronized (store) {
      String id = checkedId(messageIdHex);
      try (PreparedStatement q =
          store
              .db()
              .prepareStatement(
                  "SELECT 1 FROM history WHERE direction = 'in' AND peer = ? AND message_id = ?")) {
        q.setString(1, checkedPeer(peer));
        q.setString(2, id);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next();
        }
      } catch (SQLException e) {
        throw failed("read", e);
      }
    }
  }

  /**
   * Stores a message sealed for {@code peer}, in state {@link State#PENDING} until {@link
   * #markSent}. Returns {@code false} if a message with this id to this peer is already stored.
   */
  public boolean recordOutgoing(String peer, String messageIdHex, Instant sentAt, String text)
      throws IOException {
    synchronized (store) {
      return insert(Direction.OUT, State.PENDING, peer, messageIdHex, sentAt, text);
    }
  }

  /**
   * Forgets an outgoing message the relay refused before storing it (its device set was stale: it
   * is sealed again under another id); true if a pending row was removed.
   */
  public boolean forgetPending(String peer, String messageIdHex) throws IOException {
    synchronized (store) {
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "DELETE FROM history WHERE peer = ? AND direction = ? AND message_id = ? AND"
                      + " state = ?")) {
        u.setString(1, checkedPeer(peer));
        u.setString(2, Direction.OUT.stored());
        u.setString(3, checkedId(messageIdHex));
        u.setString(4, State.PENDING.stored());
        return u.executeUpdate() == 1;
      } catch (SQLException e) {
        throw failed("update", e);
      }
    }
  }

  /** Marks an outgoing message as accepted by the relay; true if a pending row changed. */
  public boolean markSent(String peer, String messageIdHex) throws IOException {
    synchronized (store) {
      return advance(peer, messageIdHex, State.SENT, "state = 'pending'");
    }
  }

  /**
   * Keeps, beside my group text {@code messageIdHex} (history key {@code peer}), that it reached
   * some members only ({@code s}; {@code members} members other than me were meant). A text that
   * fell short before keeps its first count, so a retry for the members not reached says how many
   * of the first ones it got. Returns what is kept; sealed at rest, bound to the row, as the text.
   */
  public PartialDelivery markPartial(
      String peer, String messageIdHex, int members, GroupShortfall s) throws IOException {
    synchronized (store) {
      String p = checkedPeer(peer);
      String id = checkedId(messageIdHex);
      PartialDelivery kept =
          partialOf(p, id).map(before -> before.again(s)).orElse(PartialDelivery.of(members, s));
      byte[] note = kept.encode();
      setPartial(p, id, key.seal(note, partialBinding(p, id)));
      return kept;
    }
  }

  /** Forgets that my text {@code messageIdHex} reached some members only: it reached the rest. */
  public void markReachedAll(String peer, String messageIdHex) throws IOException {
    synchronized (store) {
      setPartial(checkedPeer(peer), checkedId(messageIdHex), null);
    }
  }

  private Optional<PartialDelivery> partialOf(String p, String id) throws IOException {
    try (PreparedStatement q =
        store
            .db()
            .prepareStatement(
                "SELECT id, partial FROM history WHERE direction = 'out' AND peer = ? AND"
                    + " message_id = ?")) {
      q.setString(1, p);
      q.setString(2, id);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? readPartial(rs.getLong(1), rs.getBytes(2), p, id) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failed("read", e);
    }
  }

  private void setPartial(String p, String id, byte[] sealed) throws IOException {
    try (PreparedStatement u =
        store
            .db()
            .prepareStatement(
                "UPDATE history SET partial = ? WHERE direction = 'out' AND peer = ? AND"
                    + " message_id = ?")) {
      u.setBytes(1, sealed);
      u.setString(2, p);
      u.setString(3, id);
      u.executeUpdate();
    } catch (SQLException e) {
      throw failed("update", e);
    }
  }

  private Optional<PartialDelivery> readPartial(long rowId, byte[] sealed, String p, String id)
      throws IOException {
    if (sealed == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          PartialDelivery.decode(
              decrypt(rowId, sealed, partialBinding(p, id)).getBytes(StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "the local history in "
              + store.file()
              + " holds a damaged delivery note (row "
              + rowId
              + ")");
    }
  }

  private static byte[] partialBinding(String peer, String messageIdHex) {
    return AtRestKey.binding(TABLE, "partial", peer, messageIdHex);
  }

  /**
   * Marks an outgoing message as delivered (a signed receipt arrived); true if an outgoing row
   * changed, false if there is none or it was already delivered.
   */
  public boolean markDelivered(String peer, String messageIdHex) throws IOException {
    synchronized (store) {
      return advance(peer, messageIdHex, State.DELIVERED, "state IN ('pending', 'sent')");
    }
  }

  /**
   * The last {@code limit} messages of the conversation with {@code peer}, oldest first, in the
   * order they were stored (the order the user saw them), decrypted.
   *
   * @throws IOException if a row fails its integrity check (altered, moved, or written with another
   *     key); no text of that call is returned then
   */
  public List<HistoryEntry> recent(String peer, int limit) throws IOException {
    synchronized (store) {
      if (limit < 1 || limit > MAX_RECENT) {
        throw new IllegalArgumentException("limit must be 1 to " + MAX_RECENT + ", not " + limit);
      }
      String p = checkedPeer(peer);
      List<HistoryEntry> out = new ArrayList<>();
      try (PreparedStatement q =
          store
              .db()
              .prepareStatement(
                  "SELECT id, direction, message_id, sent_at, state, body, partial FROM history"
                      + " WHERE peer = ? ORDER BY id DESC LIMIT ?")) {
        q.setString(1, p);
        q.setInt(2, limit);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            long rowId = rs.getLong(1);
            Direction direction = Direction.fromStored(rs.getString(2));
            String id = rs.getString(3);
            long sentAt = rs.getLong(4);
            State state = State.fromStored(rs.getString(5));
            String text = decrypt(rowId, rs.getBytes(6), binding(direction, p, id, sentAt));
            out.add(
                new HistoryEntry(
                    p,
                    direction,
                    id,
                    Instant.ofEpochMilli(sentAt),
                    state,
                    text,
                    readPartial(rowId, rs.getBytes(7), p, id)));
          }
        }
      } catch (SQLException | IllegalArgumentException e) {
        throw failed("read", e);
      }
      Collections.reverse(out);
      return out;
    }
  }

  /** The peer (or group key) of my outgoing message {@code messageIdHex}, if one is stored. */
  public java.util.Optional<String> peerOfOutgoing(String messageIdHex) throws IOException {
    synchronized (store) {
      try (PreparedStatement q =
          store
              .db()
              .prepareStatement(
                  "SELECT peer FROM history WHERE direction = 'out' AND message_id = ? LIMIT 1")) {
        q.setString(1, checkedId(messageIdHex));
        try (ResultSet rs = q.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      } catch (SQLException e) {
        throw failed("read", e);
      }
    }
  }

  /** The peers with stored messages, the one with the latest stored message first. */
  public List<String> peers() throws IOException {
    synchronized (store) {
      List<String> out = new ArrayList<>();
      try (PreparedStatement q =
              store
                  .db()
                  .prepareStatement(
                      "SELECT peer FROM history GROUP BY peer ORDER BY MAX(id) DESC");
          ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      } catch (SQLException e) {
        throw failed("read", e);
      }
      return out;
    }
  }

  private boolean insert(
      Direction direction,
      State state,
      String peer,
      String messageIdHex,
      Instant sentAt,
      String text)
      throws IOException {
    String p = checkedPeer(peer);
    String id = checkedId(messageIdHex);
    long at = requireNonNull(sentAt, "sentAt").toEpochMilli();
    byte[] plaintext = requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
    try (PreparedStatement u =
        store
            .db()
            .prepareStatement(
                "INSERT INTO history(peer, direction, message_id, sent_at, stored_at, state, body)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (direction, peer, message_id) DO"
                    + " NOTHING")) {
      u.setString(1, p);
      u.setString(2, direction.stored());
      u.setString(3, id);
      u.setLong(4, at);
      u.setLong(5, clock.millis());
      u.setString(6, state.stored());
      u.setBytes(7, key.seal(plaintext, binding(direction, p, id, at)));
      return u.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failed("store", e);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  private boolean advance(String peer, String messageIdHex, State to, String fromCondition)
      throws IOException {
    try (PreparedStatement u =
        store
            .db()
            .prepareStatement(
                "UPDATE history SET state = ? WHERE direction = 'out' AND peer = ? AND message_id ="
                    + " ? AND "
                    + fromCondition)) {
      u.setString(1, to.stored());
      u.setString(2, checkedPeer(peer));
      u.setString(3, checkedId(messageIdHex));
      return u.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failed("update", e);
    }
  }

  private String decrypt(long rowId, byte[] body, byte[] aad) throws IOException {
    byte[] plaintext;
    try {
      plaintext = key.open(body == null ? new byte[0] : body, aad);
    } catch (AEADBadTagException e) {
      throw new IOException(
          "the local history in "
              + store.file()
              + " was altered or damaged (row "
              + rowId
              + " fails its integrity check); its text is not shown");
    }
    try {
      return new String(plaintext, StandardCharsets.UTF_8);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  private static byte[] binding(
      Direction direction, String peer, String messageIdHex, long sentAtMillis) {
    return AtRestKey.binding(
        TABLE, direction.stored(), peer, messageIdHex, Long.toString(sentAtMillis));
  }

  private static String checkedPeer(String peer) {
    requireNonNull(peer, "peer");
    if (peer.isEmpty()) {
      throw new IllegalArgumentException("peer name is empty");
    }
    return peer;
  }

  /** Message ids are stored lower-case so that the same id in upper case is the same row. */
  static String checkedId(String messageIdHex) {
    requireNonNull(messageIdHex, "messageIdHex");
    if (messageIdHex.isEmpty() || messageIdHex.length() % 2 != 0) {
      throw new IllegalArgumentException("message id must be non-empty hex");
    }
    HexFormat.of().parseHex(messageIdHex);
    return messageIdHex.toLowerCase(Locale.ROOT);
  }

  private IOException failed(String what, Exception e) {
    return new IOException(
        "cannot " + what + " the local history in " + store.file() + ": " + e.getMessage(), e);
  }
}
