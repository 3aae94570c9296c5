package dev.ztchat.core.conversation;

import dev.ztchat.core.session.ConversationLedger;
import dev.ztchat.core.session.MalformedSessionDataException;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The conversation ledgers of one device as last stored, kept decoded. A ledger is loaded and
 * stored on every message; a sender whose peer has not answered for a while holds up to {@link
 * ConversationLedger#MAX_UNCONFIRMED} message ids in it, and decoding them again each time was a
 * quarter of a message's cost. A kept ledger is used only while the store still holds exactly the
 * bytes it was stored as; anything else in the store is decoded (and checked) as before. Loading
 * takes a ledger out (the caller changes it); it comes back when the caller has stored it. Bounded,
 * least recently used first out. Guarded by the device's lock.
 */
final class DecodedLedgers {
  /** How many peer devices' ledgers are kept decoded. */
  static final int KEPT = 64;

  private record Kept(byte[] stored, ConversationLedger ledger) {}

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
    Optional<byte[]> stored = store.ledger(peer, peerDevice);
    if (stored.isEmpty()) {
      return ConversationLedger.create();
    }
    if (k != null && Arrays.equals(k.stored(), stored.get())) {
      return k.ledger();
    }
    try {
      return ConversationLedger.fromBytes(stored.get());
    } catch (MalformedSessionDataException e) {
      throw new IOException("the stored conversation ledger is corrupt: " + e.getMessage(), e);
    }
  }

  /** {@code ledger}, just stored as {@code stored}, is kept for the next {@link #load}. */
  void stored(String peer, byte[] peerDevice, byte[] stored, ConversationLedger ledger) {
    kept.put(key(peer, peerDevice), new Kept(stored, ledger));
  }

  private static String key(String peer, byte[] peerDevice) {
    return peer + "/" + HexFormat.of().formatHex(peerDevice);
  }
}
