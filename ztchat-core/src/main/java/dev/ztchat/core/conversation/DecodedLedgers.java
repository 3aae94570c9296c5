package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.ratchet.RatchetState;
import dev.ztchat.core.session.ConversationLedger;
import dev.ztchat.core.session.MalformedSessionDataException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The conversation ledgers and current sessions of one device as last stored, kept decoded. A
 * ledger and a session are loaded and stored on every message; a sender whose peer has not answered
 * for a while holds up to {@link ConversationLedger#MAX_UNCONFIRMED} message ids in its ledger, and
 * reading and decoding them again each time was most of a message's cost, and decoding the ratchet
 * state (its X25519 private key through the JCA) and parsing the peer's certificate a large part of
 * the rest.
 *
 * <p>A kept ledger or session is used only while the store's generation of that peer device's
 * ledger is still the one it was saved as. The store changes that generation with every save of a
 * session with the device (a session and its ledger are saved together), so anything changed in the
 * store behind this device's back is read and checked again, never used stale; and a kept session
 * is the device's most recently used one, the one to seal on. Loading a ledger takes it out (the
 * caller changes it); it comes back when the caller has stored it. A kept session's ratchet state
 * that was used to encrypt and not stored again (the message failed) is dropped. Bounded, least
 * recently used first out; a session dropped for any reason but its successor's arrival has its
 * ratchet state's keys zeroed. Guarded by the device's lock.
 */
final class DecodedLedgers {
  /** How many peer devices' ledgers (and as many current sessions) are kept decoded. */
  static final int KEPT = 64;

  private record Kept(long generation, ConversationLedger ledger) {}

  /** A peer device: its user's name and its device id, compared by content. */
  private record Peer(String name, byte[] device) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Peer p && name.equals(p.name) && Arrays.equals(device, p.device);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(device);
    }
  }

  /**
   * A peer device's most recently used session as last stored: its row, its ratchet state decoded,
   * and the peer device's certificate once parsed and checked (chain, role DEVICE, the peer's name)
   * by the opener, or null. Validity dates and revocation are not part of that check: the opener
   * checks them on every message.
   */
  static final class KeptSession {
    private final long generation;
    private final StoredSession stored;
    private final RatchetState state;
    private final X509Certificate checkedCertificate;

    private KeptSession(
        long generation,
        StoredSession stored,
        RatchetState state,
        X509Certificate checkedCertificate) {
      this.generation = generation;
      this.stored = requireNonNull(stored, "stored");
      this.state = requireNonNull(state, "state");
      this.checkedCertificate = checkedCertificate;
    }

    StoredSession stored() {
      return stored;
    }

    /** The ratchet state of {@link #stored()}, decoded: to be used once, then stored again. */
    RatchetState state() {
      return state;
    }

    /** The peer's certificate as parsed and checked before, if the opener checked it. */
    Optional<X509Certificate> checkedCertificate() {
      return Optional.ofNullable(checkedCertificate);
    }

    boolean isSession(byte[] sessionId) {
      return MessageDigest.isEqual(stored.sessionId(), sessionId);
    }
  }

  private final Map<Peer, Kept> kept =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Peer, Kept> eldest) {
          return size() > KEPT;
        }
      };

  private final Map<Peer, KeptSession> sessions =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Peer, KeptSession> eldest) {
          if (size() > KEPT) {
            eldest.getValue().state().destroy();
            return true;
          }
          return false;
        }
      };

  /** The store's generation of the ledger with that device, to pass to the other methods. */
  static OptionalLong generation(SessionStore store, String peer, byte[] peerDevice)
      throws IOException {
    return store.ledgerGeneration(peer, peerDevice);
  }

  /** The ledger with {@code peer}'s device as {@code store} holds it (a new one if none). */
  ConversationLedger load(SessionStore store, String peer, byte[] peerDevice) throws IOException {
    return load(store, peer, peerDevice, generation(store, peer, peerDevice));
  }

  /**
   * As {@link #load(SessionStore, String, byte[])}, with the store's {@code generation} of that
   * ledger read by the caller under the device's lock.
   */
  ConversationLedger load(
      SessionStore store, String peer, byte[] peerDevice, OptionalLong generation)
      throws IOException {
    Kept k = kept.remove(key(peer, peerDevice));
    if (k != null && generation.isPresent() && generation.getAsLong() == k.generation()) {
      return k.ledger();
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
   * The kept current session with that device, if the store's {@code generation} is still the one
   * it was stored as and its state was not used since; a kept session that is not is dropped and
   * its keys zeroed.
   */
  Optional<KeptSession> session(String peer, byte[] peerDevice, OptionalLong generation) {
    Peer key = key(peer, peerDevice);
    KeptSession s = sessions.get(key);
    if (s == null) {
      return Optional.empty();
    }
    if (generation.isPresent()
        && generation.getAsLong() == s.generation
        && !s.state().usedToEncrypt()) {
      return Optional.of(s);
    }
    sessions.remove(key);
    s.state().destroy();
    return Optional.empty();
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

  /**
   * {@code session} was just stored with {@code state} as its ratchet state, and the ledger with
   * its device as {@code generation}: kept for the next {@link #session} with that device, with the
   * peer's certificate when the caller parsed and checked it ({@code null} otherwise). The session
   * kept before is the state's predecessor, which shares its arrays: it is dropped, not zeroed.
   */
  void storedSession(
      long generation,
      StoredSession session,
      RatchetState state,
      X509Certificate checkedCertificate) {
    KeptSession before =
        sessions.put(
            key(session.peer(), session.peerDevice()),
            new KeptSession(generation, session, state, checkedCertificate));
    if (before != null && before.state() != state && !isSessionOf(before, session)) {
      before.state().destroy();
    }
  }

  private static boolean isSessionOf(KeptSession kept, StoredSession session) {
    return MessageDigest.isEqual(kept.stored().sessionId(), session.sessionId());
  }

  private static Peer key(String peer, byte[] peerDevice) {
    return new Peer(peer, peerDevice.clone());
  }
}
