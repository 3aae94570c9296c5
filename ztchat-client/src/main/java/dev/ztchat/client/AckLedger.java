package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

/**
 * Which envelopes this client processed, and whether the relay confirmed our acknowledgement. It
 * decides what a second copy of an envelope means:
 *
 * <ul>
 *   <li>processed, acknowledgement not confirmed: the relay never learnt we had it and delivered it
 *       again. Normal after a lost acknowledgement or a crash: the copy is absorbed silently.
 *   <li>acknowledgement confirmed (the relay deleted its copy), or never processed: a copy now is a
 *       replay by someone who kept the envelope. Reported.
 * </ul>
 *
 * Either way the copy is never shown twice: the replay guard drops it. A hostile relay can only
 * choose to withhold confirmations, which makes its replays silent, never visible as new messages.
 */
final class AckLedger {
  private final ClientStore store;
  private final Clock clock;

  public AckLedger(ClientStore store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Notes that the envelope ({@code sender}, {@code messageIdHex}) was processed. */
  public void processed(String sender, String messageIdHex) throws IOException {
    synchronized (store) {
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "INSERT OR IGNORE INTO ack_ledger(sender, message_id, processed_at) VALUES (?, ?,"
                      + " ?)")) {
        u.setString(1, sender);
        u.setString(2, messageIdHex);
        u.setLong(3, clock.millis());
        u.executeUpdate();
      } catch (SQLException e) {
        throw new IOException("cannot record a processed message: " + e.getMessage(), e);
      }
    }
  }

  /** The relay confirmed it deleted its copy. */
  public void confirmed(String sender, String messageIdHex) throws IOException {
    synchronized (store) {
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "UPDATE ack_ledger SET confirmed = 1 WHERE sender = ? AND message_id = ?")) {
        u.setString(1, sender);
        u.setString(2, messageIdHex);
        u.executeUpdate();
      } catch (SQLException e) {
        throw new IOException("cannot record an acknowledgement: " + e.getMessage(), e);
      }
    }
  }

  /** True when a copy of this envelope is an expected redelivery (processed, never confirmed). */
  public boolean awaitingConfirmation(String sender, String messageIdHex) throws IOException {
    synchronized (store) {
      try (PreparedStatement q =
          store
              .db()
              .prepareStatement(
                  "SELECT confirmed FROM ack_ledger WHERE sender = ? AND message_id = ?")) {
        q.setString(1, sender);
        q.setString(2, messageIdHex);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next() && rs.getInt(1) == 0;
        }
      } catch (SQLException e) {
        throw new IOException("cannot read the acknowledgement ledger: " + e.getMessage(), e);
      }
    }
  }

  /** Forgets entries older than {@code retention} (the replay guard covers that period anyway). */
  public void evictOlderThan(Duration retention) throws IOException {
    synchronized (store) {
      try (PreparedStatement u =
          store.db().prepareStatement("DELETE FROM ack_ledger WHERE processed_at < ?")) {
        u.setLong(1, clock.millis() - retention.toMillis());
        u.executeUpdate();
      } catch (SQLException e) {
        throw new IOException("cannot trim the acknowledgement ledger: " + e.getMessage(), e);
      }
    }
  }
}
