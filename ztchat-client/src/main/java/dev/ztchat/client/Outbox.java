package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.AEADBadTagException;

/**
 * The durable queue of messages typed while disconnected, or not yet accepted by the relay, kept in
 * the client's {@link ClientStore} so they survive a restart and are sent on reconnect, in the
 * order they were typed.
 *
 * <p>Only the text is protected: it is sealed with the {@link AtRestKey} and bound to its row (a
 * random per-row token, the peer and the time it was typed), so it cannot be moved to another row
 * or sent to another peer. The peer name, the time and the number and size of waiting messages are
 * stored in clear. Messages are kept as text, not as sealed envelopes, because an envelope carries
 * its timestamp and would be refused as too old after a long outage; the client seals each one when
 * it sends it.
 *
 * <p>Thread-safe.
 */
final class Outbox {
  private static final String TABLE = "outbox";
  private static final int TOKEN_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ClientStore store;
  private final AtRestKey key;
  private final Clock clock;

  public Outbox(ClientStore store, AtRestKey key, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.key = requireNonNull(key, "key");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Queues {@code text} for {@code peer}, durably, and returns its id. */
  public long enqueue(String peer, String text) throws IOException {
    synchronized (store) {
      requireNonNull(peer, "peer");
      if (peer.isEmpty()) {
        throw new IllegalArgumentException("peer name is empty");
      }
      byte[] plaintext = requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
      byte[] tokenBytes = new byte[TOKEN_BYTES];
      RANDOM.nextBytes(tokenBytes);
      String token = HexFormat.of().formatHex(tokenBytes);
      long createdAt = clock.millis();
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "INSERT INTO outbox(token, peer, created_at, body) VALUES (?, ?, ?, ?)"
                      + " RETURNING id")) {
        u.setString(1, token);
        u.setString(2, peer);
        u.setLong(3, createdAt);
        u.setBytes(4, key.seal(plaintext, binding(token, peer, createdAt)));
        try (ResultSet rs = u.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("no id returned");
          }
          return rs.getLong(1);
        }
      } catch (SQLException e) {
        throw failed("store a message in", e);
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  /**
   * Every waiting message, oldest first, decrypted.
   *
   * @throws IOException if a row fails its integrity check (altered, moved, or written with another
   *     key); nothing is returned then, so nothing altered is ever sent
   */
  public List<PendingMessage> pending() throws IOException {
    synchronized (store) {
      List<PendingMessage> out = new ArrayList<>();
      try (PreparedStatement q =
              store
                  .db()
                  .prepareStatement(
                      "SELECT id, token, peer, created_at, body, message_id, envelope FROM outbox"
                          + " ORDER BY id");
          ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          String peer = rs.getString(3);
          long createdAt = rs.getLong(4);
          byte[] body = rs.getBytes(5);
          byte[] plaintext;
          try {
            plaintext =
                key.open(
                    body == null ? new byte[0] : body, binding(rs.getString(2), peer, createdAt));
          } catch (AEADBadTagException e) {
            throw new IOException(
                "the outbox in "
                    + store.file()
                    + " was altered or damaged (message "
                    + id
                    + " fails its integrity check); nothing was sent");
          }
          try {
            out.add(
                new PendingMessage(
                    id,
                    peer,
                    new String(plaintext, StandardCharsets.UTF_8),
                    Instant.ofEpochMilli(createdAt),
                    rs.getString(6),
                    rs.getBytes(7)));
          } finally {
            Arrays.fill(plaintext, (byte) 0);
          }
        }
      } catch (SQLException e) {
        throw failed("read", e);
      }
      return out;
    }
  }

  /**
   * Records the sealed form of a waiting message, before it is first sent: from now on every retry
   * sends these bytes (the envelope is ciphertext already; its integrity is the sender's
   * signature).
   */
  public void attachEnvelope(long id, String messageIdHex, byte[] envelope) throws IOException {
    synchronized (store) {
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "UPDATE outbox SET message_id = ?, envelope = ? WHERE id = ? AND envelope IS"
                      + " NULL")) {
        u.setString(1, messageIdHex);
        u.setBytes(2, envelope);
        u.setLong(3, id);
        u.executeUpdate();
      } catch (SQLException e) {
        throw failed("update", e);
      }
    }
  }

  /**
   * Replaces the sealed form of a waiting message that keeps its message id: a group message some
   * of whose envelopes were sealed again after the relay refused them as stale (docs/v2/groups.md
   * section 7.1); a message not sealed yet is left as it is.
   */
  public void replaceEnvelope(long id, byte[] envelope) throws IOException {
    synchronized (store) {
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "UPDATE outbox SET envelope = ? WHERE id = ? AND envelope IS NOT NULL")) {
        u.setBytes(1, envelope);
        u.setLong(2, id);
        u.executeUpdate();
      } catch (SQLException e) {
        throw failed("update", e);
      }
    }
  }

  /**
   * Drops the sealed form of a waiting message (the relay refused its device set as stale), so that
   * the next flush seals it again.
   */
  public void detachEnvelope(long id) throws IOException {
    synchronized (store) {
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "UPDATE outbox SET message_id = NULL, envelope = NULL WHERE id = ?")) {
        u.setLong(1, id);
        u.executeUpdate();
      } catch (SQLException e) {
        throw failed("update", e);
      }
    }
  }

  /** Removes a message once the relay accepted it; removing an id that is not there is a no-op. */
  public void remove(long id) throws IOException {
    synchronized (store) {
      try (PreparedStatement u = store.db().prepareStatement("DELETE FROM outbox WHERE id = ?")) {
        u.setLong(1, id);
        u.executeUpdate();
      } catch (SQLException e) {
        throw failed("remove a message from", e);
      }
    }
  }

  private static byte[] binding(String token, String peer, long createdAtMillis) {
    return AtRestKey.binding(TABLE, token, peer, Long.toString(createdAtMillis));
  }

  private IOException failed(String what, Exception e) {
    return new IOException(
        "cannot " + what + " the outbox in " + store.file() + ": " + e.getMessage(), e);
  }
}
