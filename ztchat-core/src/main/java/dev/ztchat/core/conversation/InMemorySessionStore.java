package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link SessionStore} in memory, for tests and benchmarks: nothing survives the process, so
 * nothing is written to disk either.
 */
public final class InMemorySessionStore implements SessionStore {
  private final Map<String, List<StoredSession>> sessions = new HashMap<>();
  private final Map<String, byte[]> ledgers = new HashMap<>();
  private byte[] prekeys;

  /** An empty store. */
  public InMemorySessionStore() {}

  @Override
  public synchronized List<StoredSession> sessions(String peer) {
    return List.copyOf(sessions.getOrDefault(requireNonNull(peer, "peer"), List.of()));
  }

  @Override
  public synchronized Optional<byte[]> ledger(String peer, byte[] peerDevice) {
    return Optional.ofNullable(ledgers.get(deviceKey(peer, peerDevice))).map(byte[]::clone);
  }

  @Override
  public synchronized void save(StoredSession session, byte[] ledgerState) {
    requireNonNull(session, "session");
    List<StoredSession> all = new ArrayList<>(sessions.getOrDefault(session.peer(), List.of()));
    String device = HexFormat.of().formatHex(session.peerDevice());
    all.removeIf(
        s ->
            HexFormat.of().formatHex(s.peerDevice()).equals(device)
                && Arrays.equals(s.sessionId(), session.sessionId()));
    all.add(session);
    all.sort(Comparator.comparingLong(StoredSession::lastUsedMillis).reversed());
    List<StoredSession> kept = new ArrayList<>();
    int ofDevice = 0;
    for (StoredSession s : all) {
      boolean same = HexFormat.of().formatHex(s.peerDevice()).equals(device);
      if (!same || ofDevice++ < MAX_SESSIONS_PER_DEVICE) {
        kept.add(s);
      }
    }
    sessions.put(session.peer(), List.copyOf(kept));
    ledgers.put(deviceKey(session.peer(), session.peerDevice()), ledgerState.clone());
  }

  @Override
  public synchronized Optional<byte[]> prekeys() {
    return Optional.ofNullable(prekeys).map(byte[]::clone);
  }

  @Override
  public synchronized void savePrekeys(byte[] prekeyState) {
    this.prekeys = prekeyState.clone();
  }

  private static String deviceKey(String peer, byte[] device) {
    return requireNonNull(peer, "peer") + "/" + HexFormat.of().formatHex(device);
  }
}
