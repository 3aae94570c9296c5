package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

/**
 * Trust on first use on top of the CA: the keys first seen for each contact are pinned in the local
 * store. A later, different key (even one the CA issued) is reported as a change and is not used
 * until the user accepts it.
 */
final class ContactPins {
  /** The outcome of comparing a contact's current keys with the pin. */
  public sealed interface Check {}

  /** No pin existed; the keys are now pinned. */
  public record FirstUse(String fingerprint) implements Check {}

  /** The keys match the pin. */
  public record Matches(String fingerprint) implements Check {}

  /** The keys differ from the pin: nothing may be sent to the new keys until accepted. */
  public record Changed(String pinnedFingerprint, String newFingerprint) implements Check {}

  private final ClientStore store;
  private final Clock clock;

  public ContactPins(ClientStore store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Compares {@code contact}'s keys to the pin, pinning them if there was none. */
  public Check check(VerifiedContact contact) throws IOException {
    synchronized (store) {
      Check check = compare(contact);
      if (check instanceof FirstUse) {
        try {
          pin(
              contact.name(),
              KeyFingerprints.ofKey(contact.signing()),
              KeyFingerprints.ofKey(contact.encryption()));
        } catch (SQLException e) {
          throw new IOException("cannot store pinned keys: " + e.getMessage(), e);
        }
      }
      return check;
    }
  }

  /**
   * As {@link #check}, but pins nothing: a contact never seen before is {@link FirstUse} and stays
   * unpinned. Used while a message is still being checked, so that looking its sender up does not
   * make them a known contact before the message passed every check (docs/PROTOCOL.md section 7,
   * check 3b).
   */
  Check compare(VerifiedContact contact) throws IOException {
    synchronized (store) {
      String sig = KeyFingerprints.ofKey(contact.signing());
      String enc = KeyFingerprints.ofKey(contact.encryption());
      String shown = KeyFingerprints.display(sig, enc);
      try (PreparedStatement q =
          store
              .db()
              .prepareStatement("SELECT signing_key, encryption_key FROM pins WHERE name = ?")) {
        q.setString(1, contact.name());
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            String pinnedSig = rs.getString(1);
            String pinnedEnc = rs.getString(2);
            if (pinnedSig.equals(sig) && pinnedEnc.equals(enc)) {
              return new Matches(shown);
            }
            return new Changed(KeyFingerprints.display(pinnedSig, pinnedEnc), shown);
          }
        }
        return new FirstUse(shown);
      } catch (SQLException e) {
        throw new IOException("cannot read pinned keys: " + e.getMessage(), e);
      }
    }
  }

  /** True when keys are pinned for {@code name} (we talked before). */
  public boolean isPinned(String name) throws IOException {
    synchronized (store) {
      try (PreparedStatement q = store.db().prepareStatement("SELECT 1 FROM pins WHERE name = ?")) {
        q.setString(1, name);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next();
        }
      } catch (SQLException e) {
        throw new IOException("cannot read pinned keys: " + e.getMessage(), e);
      }
    }
  }

  /**
   * The pinned keys of {@code name} as stored (ungrouped hex SHA-256 of each public key), if any.
   */
  public Optional<Pinned> pinned(String name) throws IOException {
    synchronized (store) {
      try (PreparedStatement q =
          store
              .db()
              .prepareStatement("SELECT signing_key, encryption_key FROM pins WHERE name = ?")) {
        q.setString(1, name);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next()
              ? Optional.of(new Pinned(rs.getString(1), rs.getString(2)))
              : Optional.empty();
        }
      } catch (SQLException e) {
        throw new IOException("cannot read pinned keys: " + e.getMessage(), e);
      }
    }
  }

  /** A contact's pinned keys: the SHA-256 of each public key, as ungrouped lower-case hex. */
  public record Pinned(String signingKeyHex, String encryptionKeyHex) {}

  /** Replaces the pin with {@code contact}'s current keys (after the user accepted the change). */
  public void accept(VerifiedContact contact) throws IOException {
    synchronized (store) {
      try {
        pin(
            contact.name(),
            KeyFingerprints.ofKey(contact.signing()),
            KeyFingerprints.ofKey(contact.encryption()));
      } catch (SQLException e) {
        throw new IOException("cannot store pinned keys: " + e.getMessage(), e);
      }
    }
  }

  private void pin(String name, String sig, String enc) throws SQLException {
    try (PreparedStatement u =
        store
            .db()
            .prepareStatement(
                "INSERT OR REPLACE INTO pins(name, signing_key, encryption_key, pinned_at) VALUES"
                    + " (?,?,?,?)")) {
      u.setString(1, name);
      u.setString(2, sig);
      u.setString(3, enc);
      u.setLong(4, clock.millis());
      u.executeUpdate();
    }
  }
}
