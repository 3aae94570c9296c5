package dev.ztchat.core.conversation;

import dev.ztchat.core.session.ConversationLedger;
import dev.ztchat.core.session.MalformedSessionDataException;
import java.io.IOException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The conversation ledgers of one device as last stored, kept decoded. A ledger is loaded and
 * stored on every message; a sender whose peer has not answered for a while holds up to {@link
 * ConversationLedger#MAX_UNCONFIRMED} message ids in it, and reading and decoding them again each
 * time was most of a message's cost. A kept ledger is used only while the store's generation of it
 * is still the one it was saved as (the store changes the generation with every save, so a ledger
 * changed in the store behind this device's back is read and checked again, never used stale).
 * Loading takes a ledger out (the caller changes it); it comes back when the caller has stored it.
 * Bounded, least recently used first out. Guarded by the device's lock.
 */
final class DecodedLedgers {
  /** How many peer devices' ledgers are kept decoded. */
  static final int KEPT = 64;

  private record Kept(long generation, ConversationLedger ledger) {}

  private final Map<String, Kept> kept =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
          return size() > KEPT;
        }
      };

  /** The ledger with {@code peer}'s device as {@code store} holds it (a new one if none). */
  ConversationLedger load(SessionStore store, String peer, byte[] peerDevice) throws IOException {
    Kept k = kept.remove(key(peer, peerDevice));
    if (k != null) {
      OptionalLong generation = store.ledgerGeneration(peer, peerDevice);
      if (generation.isPresent() && generation.getAsLong() == k.generation()) {
        return k.ledger();
      }
    }
    Optional<SessionStore.StoredLedger> stored = store.ledger(peer, peerDevice);
    if (stored.isEmpty()) {
      return ConversationLedger.create();
    }
    try {
      return ConversationLedger.fromStored(stored.get().head(), stored.get().entries());
    } catch (MalformedSessionDataException e) {
      throw new IOException("the stored conversation ledger is corrupt: " + e.getMessage(), e);
    }
  }

  /**
   * What {@code ledger} changed since it was loaded, for {@link SessionStore#save}; call {@link
   * #stored} once that save succeeded.
   */
  static SessionStore.LedgerUpdate update(ConversationLedger ledger) {
    return new SessionStore.LedgerUpdate(
        ledger.head(), ledger.unsavedEntries(), ledger.firstUnconfirmedSeq());
  }

  /** {@code ledger} was just stored, as {@code generation}: kept for the next {@link #load}. */
  void stored(String peer, byte[] peerDevice, long generation, ConversationLedger ledger) {
    ledger.markSaved();
    kept.put(key(peer, peerDevice), new Kept(generation, ledger));
  }

  private static String key(String peer, byte[] peerDevice) {
    return peer + "/" + HexFormat.of().formatHex(peerDevice);
  }
}
