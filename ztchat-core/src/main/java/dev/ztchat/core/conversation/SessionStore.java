package dev.ztchat.core.conversation;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where a device keeps its version-2 state (docs/v2/messages.md): its sessions with peers' devices,
 * the conversation ledger with each peer device, and its own prekeys (the private halves). The v2
 * sealer and opener read and write only through this seam; the client keeps it in its SQLite store,
 * encrypted at rest, and tests use {@link InMemorySessionStore}.
 *
 * <p>Everything here is key material or metadata about conversations: an implementation MUST keep
 * it encrypted at rest (files 0600 in a 0700 folder) and MUST NOT log it. Implementations are
 * thread-safe.
 */
public interface SessionStore {
  /** The most sessions kept per peer device; saving another drops the least recently used. */
  int MAX_SESSIONS_PER_DEVICE = 4;

  /**
   * The sessions with {@code peer}'s devices, most recently used first (so the first one with a
   * device is the one to seal on).
   */
  List<StoredSession> sessions(String peer) throws IOException;

  /** The conversation ledger ({@code ConversationLedger.toBytes()}) with that device, if any. */
  Optional<byte[]> ledger(String peer, byte[] peerDevice) throws IOException;

  /**
   * Saves {@code session} (replacing the one with the same peer, device and session id) and the
   * ledger of its device, atomically: after a crash either both or neither are saved. Keeps at most
   * {@link #MAX_SESSIONS_PER_DEVICE} sessions per device, dropping the least recently used.
   */
  void save(StoredSession session, byte[] ledgerState) throws IOException;

  /** This device's prekeys ({@code PrekeyStore.toBytes()}), if it made any yet. */
  Optional<byte[]> prekeys() throws IOException;

  /** Replaces this device's prekeys. */
  void savePrekeys(byte[] prekeyState) throws IOException;
}
