package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.session.LedgerEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A {@link SessionStore} in memory, for tests and benchmarks: nothing survives the process, so
 * nothing is written to disk either. Sessions are kept as they are handed over ({@link
 * StoredSession} is immutable), a ratchet state handed over decoded is never encoded.
 */
public final class InMemorySessionStore implements SessionStore {
  private final Map<String, List<StoredSession>> sessions = new HashMap<>();
  private final Map<Device, Ledger> ledgers = new HashMap<>();
  private byte[] prekeys;
  private long generations;

  /** A peer device: its user's name and its device id, compared by content. */
  private record Device(String peer, byte[] id) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Device d && peer.equals(d.peer) && Arrays.equals(id, d.id);
    }

    @Override
    public int hashCode() {
      return peer.hashCode() * 31 + Arrays.hashCode(id);
    }
  }

  /** One ledger: its head and its entries by sequence number. */
  private static final class Ledger {
    long generation;
    byte[] head;
    final TreeMap<Long, LedgerEntry> entries = new TreeMap<>();
  }

  /** An empty store. */
  public InMemorySessionStore() {}

  @Override
  public synchronized List<StoredSession> sessions(String peer) {
    return List.copyOf(sessions.getOrDefault(requireNonNull(peer, "peer"), List.of()));
  }

  @Override
  public synchronized Optional<StoredLedger> ledger(String peer, byte[] peerDevice) {
    Ledger l = ledgers.get(deviceKey(peer, peerDevice));
    return l == null
        ? Optional.empty()
        : Optional.of(new StoredLedger(l.generation, l.head, List.copyOf(l.entries.values())));
  }

  @Override
  public synchronized OptionalLong ledgerGeneration(String peer, byte[] peerDevice) {
    Ledger l = ledgers.get(deviceKey(peer, peerDevice));
    return l == null ? OptionalLong.empty() : OptionalLong.of(l.generation);
  }

  @Override
  public synchronized long save(StoredSession session, LedgerUpdate ledger) {
    requireNonNull(session, "session");
    requireNonNull(ledger, "ledger");
    List<StoredSession> all = new ArrayList<>(sessions.getOrDefault(session.peer(), List.of()));
    all.removeIf(s -> s.isSameSessionAs(session));
    all.add(session);
    all.sort(Comparator.comparingLong(StoredSession::lastUsedMillis).reversed());
    List<StoredSession> kept = new ArrayList<>();
    int ofDevice = 0;
    for (StoredSession s : all) {
      boolean same = s.isWithDeviceOf(session);
      if (!same || ofDevice++ < MAX_SESSIONS_PER_DEVICE) {
        kept.add(s);
      }
    }
    sessions.put(session.peer(), List.copyOf(kept));
    Ledger l =
        ledgers.computeIfAbsent(
            new Device(session.peer(), session.peerDevice()), k -> new Ledger());
    l.head = ledger.head();
    for (LedgerEntry e : ledger.added()) {
      l.entries.put(e.seq(), e);
    }
    while (!l.entries.isEmpty() && l.entries.firstKey() < ledger.keepFrom()) {
      l.entries.pollFirstEntry();
    }
    l.generation = ++generations;
    return l.generation;
  }

  @Override
  public synchronized Optional<byte[]> prekeys() {
    return Optional.ofNullable(prekeys).map(byte[]::clone);
  }

  @Override
  public synchronized void savePrekeys(byte[] prekeyState) {
    this.prekeys = prekeyState.clone();
  }

  private static Device deviceKey(String peer, byte[] device) {
    return new Device(requireNonNull(peer, "peer"), device.clone());
  }
}
