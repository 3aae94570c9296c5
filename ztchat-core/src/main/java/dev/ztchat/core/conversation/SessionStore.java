package dev.ztchat.core.conversation;

import dev.ztchat.core.session.LedgerEntry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

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

  /**
   * A conversation ledger as stored (docs/v2/conversation-ledger.md section 7): its head ({@code
   * ConversationLedger.head()}, or a whole {@code toBytes()} state saved before entries had rows of
   * their own), its unconfirmed entries oldest first, and its generation, which changes with every
   * save of that ledger.
   */
  record StoredLedger(long generation, byte[] head, List<LedgerEntry> entries) {
    public StoredLedger {
      head = head.clone();
      entries = List.copyOf(entries);
    }

    @Override
    public byte[] head() {
      return head.clone();
    }

    /** This whole ledger as an update, e.g. to copy it into another store. */
    public LedgerUpdate asUpdate() {
      return new LedgerUpdate(
          head, entries, entries.isEmpty() ? Long.MAX_VALUE : entries.getFirst().seq());
    }
  }

  /**
   * What one message changed in a ledger: its new head, the entries to add, and the first sequence
   * number whose entry is kept (every entry before it is removed, confirmed or forgotten).
   */
  record LedgerUpdate(byte[] head, List<LedgerEntry> added, long keepFrom) {
    public LedgerUpdate {
      head = head.clone();
      added = List.copyOf(added);
    }

    @Override
    public byte[] head() {
      return head.clone();
    }
  }

  /** The conversation ledger with that device, if any. */
  Optional<StoredLedger> ledger(String peer, byte[] peerDevice) throws IOException;

  /**
   * The generation of the ledger with that device, if any: cheap, so a ledger kept decoded is
   * checked against it before every use.
   */
  OptionalLong ledgerGeneration(String peer, byte[] peerDevice) throws IOException;

  /**
   * Saves {@code session} (replacing the one with the same peer, device and session id) and the
   * change to the ledger of its device, atomically: after a crash either both or neither are saved.
   * Keeps at most {@link #MAX_SESSIONS_PER_DEVICE} sessions per device, dropping the least recently
   * used.
   *
   * @return the ledger's new generation
   */
  long save(StoredSession session, LedgerUpdate ledger) throws IOException;

  /** This device's prekeys ({@code PrekeyStore.toBytes()}), if it made any yet. */
  Optional<byte[]> prekeys() throws IOException;

  /** Replaces this device's prekeys. */
  void savePrekeys(byte[] prekeyState) throws IOException;
}
