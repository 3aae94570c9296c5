package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.ratchet.RatchetState;
import dev.ztchat.core.session.LedgerEntry;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the v2 sealer and opener rely on from a {@link SessionStore}, on the in-memory one. */
class InMemorySessionStoreTest {
  private final InMemorySessionStore store = new InMemorySessionStore();

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static SessionStore.LedgerUpdate ledger(int value) {
    return new SessionStore.LedgerUpdate(filled(3, value), List.of(), Long.MAX_VALUE);
  }

  private static StoredSession session(int device, int id, long lastUsed, byte[] pending) {
    return new StoredSession(
        "bob",
        filled(32, device),
        filled(16, id),
        filled(10, 1),
        filled(20, id),
        lastUsed,
        pending);
  }

  @Test
  void sessions_areMostRecentlyUsedFirst_andAFifthDropsTheLeastRecentlyUsedOfThatDevice()
      throws Exception {
    store.save(session(7, 9, 50, new byte[0]), ledger(7));
    for (int id = 1; id <= 5; id++) {
      store.save(session(1, id, 100 + id, new byte[0]), ledger(1));
    }

    assertThat(store.sessions("bob"))
        .extracting(s -> s.sessionId()[0] + "@" + s.peerDevice()[0])
        .containsExactly("5@1", "4@1", "3@1", "2@1", "9@7");
    assertThat(store.ledger("bob", filled(32, 7)).orElseThrow().head()).isEqualTo(filled(3, 7));
  }

  @Test
  void savingASessionAgain_replacesIt_andKeepsItsPendingInitialHeader() throws Exception {
    store.save(session(1, 1, 100, filled(5, 0x42)), ledger(1));
    store.save(session(1, 1, 200, filled(5, 0x42)), ledger(2));

    assertThat(store.sessions("bob"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.lastUsedMillis()).isEqualTo(200);
              assertThat(s.pendingInitial()).isEqualTo(filled(5, 0x42));
            });
    assertThat(store.ledger("bob", filled(32, 1)).orElseThrow().head()).isEqualTo(filled(3, 2));
  }

  @Test
  void ledgerEntries_areAddedByEachSave_andThoseBeforeKeepFromRemoved_andTheGenerationMoves()
      throws Exception {
    LedgerEntry one = new LedgerEntry(1, filled(20, 1));
    LedgerEntry two = new LedgerEntry(2, filled(20, 2));
    LedgerEntry three = new LedgerEntry(3, filled(20, 3));
    long first =
        store.save(
            session(1, 1, 100, new byte[0]),
            new SessionStore.LedgerUpdate(filled(3, 1), List.of(one, two), 1));
    long second =
        store.save(
            session(1, 1, 200, new byte[0]),
            new SessionStore.LedgerUpdate(filled(3, 2), List.of(three), 2));

    SessionStore.StoredLedger stored = store.ledger("bob", filled(32, 1)).orElseThrow();
    assertThat(stored.entries()).containsExactly(two, three);
    assertThat(stored.head()).isEqualTo(filled(3, 2));
    assertThat(second).isNotEqualTo(first).isEqualTo(stored.generation());
    assertThat(store.ledgerGeneration("bob", filled(32, 1))).hasValue(second);
    assertThat(store.ledgerGeneration("bob", filled(32, 2))).isEmpty();
  }

  @Test
  void theSixArgumentSession_hasNoPendingInitialHeader() {
    StoredSession s =
        new StoredSession("bob", filled(32, 1), filled(16, 1), filled(4, 1), filled(4, 1), 1);

    assertThat(s.pendingInitial()).isEmpty();
  }

  @Test
  void aSessionSavedWithItsStateDecoded_readsBackAsThatState_whateverTheCallerDoesAfterwards()
      throws Exception {
    SecureRandom random = new SecureRandom();
    RatchetState mine =
        RatchetState.initiator(filled(32, 1), X25519.generate(random).publicKey(), filled(32, 2));
    byte[] expected = mine.toBytes();
    byte[] device = filled(32, 1);
    byte[] certificate = filled(10, 3);
    store.save(
        StoredSession.ofState("bob", device, filled(16, 1), certificate, mine, 1, new byte[0]),
        ledger(1));

    Arrays.fill(device, (byte) 0);
    Arrays.fill(certificate, (byte) 0);
    mine.encrypt(new byte[] {1}, new byte[0], Instant.now(), random).next().destroy();
    mine.destroy();

    StoredSession back = store.sessions("bob").getFirst();
    assertThat(back.ratchetState()).isEqualTo(expected);
    assertThat(back.ratchet().toBytes()).isEqualTo(expected);
    assertThat(back.peerDevice()).isEqualTo(filled(32, 1));
    assertThat(back.peerCertificate()).isEqualTo(filled(10, 3));
  }
}
