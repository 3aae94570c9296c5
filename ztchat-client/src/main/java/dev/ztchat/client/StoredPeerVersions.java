package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.PeerVersions;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The envelope versions each peer has proved it speaks, kept in {@code client.db} (table {@code
 * peer_versions}, schema 3) so that the downgrade rule survives a restart (docs/v2/envelope.md).
 * One statement raises a peer's version and never lowers it, so two threads learning at once cannot
 * lower it either. Thread-safe.
 */
final class StoredPeerVersions implements PeerVersions {
  /** The highest version a peer can prove today. */
  static final int HIGHEST_KNOWN = 2;

  private final ClientStore store;

  StoredPeerVersions(ClientStore store) {
    this.store = requireNonNull(store, "store");
  }

  @Override
  public int lowestVersion(String peer) throws IOException {
    synchronized (store) {
      requireNonNull(peer, "peer");
      try (PreparedStatement q =
          store.db().prepareStatement("SELECT lowest FROM peer_versions WHERE peer = ?")) {
        q.setString(1, peer);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next() ? rs.getInt(1) : 1;
        }
      } catch (SQLException e) {
        throw new IOException(
            "cannot read the envelope version of "
                + peer
                + " in the local store: "
                + e.getMessage(),
            e);
      }
    }
  }

  @Override
  public void proved(String peer, int version) throws IOException {
    synchronized (store) {
      requireNonNull(peer, "peer");
      if (version < 1 || version > HIGHEST_KNOWN) {
        throw new IllegalArgumentException("envelope version " + version + " is not one we speak");
      }
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "INSERT INTO peer_versions (peer, lowest) VALUES (?, ?) ON CONFLICT (peer) DO"
                      + " UPDATE SET lowest = MAX(lowest, excluded.lowest)")) {
        u.setString(1, peer);
        u.setInt(2, version);
        u.executeUpdate();
      } catch (SQLException e) {
        throw new IOException(
            "cannot record the envelope version of "
                + peer
                + " in the local store: "
                + e.getMessage(),
            e);
      }
    }
  }
}
