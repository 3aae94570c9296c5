package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.conversation.SessionStore;
import dev.ztchat.core.conversation.StoredSession;
import dev.ztchat.core.session.LedgerEntry;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionStore} does (docs/v2: the seam the v2 sealer and opener use): each
 * backend's test extends this with a fresh store.
 */
abstract class SessionStoreContract {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A fresh, empty store. */
  abstract SessionStore store() throws Exception;

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** A ledger update that replaces the head and has no entries. */
  static SessionStore.LedgerUpdate ledger(byte[] head) {
    return new SessionStore.LedgerUpdate(head, List.of(), Long.MAX_VALUE);
  }

  static StoredSession session(String peer, byte[] device, byte[] sessionId, long lastUsed) {
    return new StoredSession(peer, device, sessionId, random(300), random(500), lastUsed);
  }

  @Test
  void savedSession_comesBackEqual_withItsLedger() throws Exception {
    SessionStore store = store();
    StoredSession s = session("bob", random(32), random(16), 1000);
    byte[] ledger = random(80);
    store.save(s, ledger(ledger));
    assertThat(store.sessions("bob")).containsExactly(s);
    assertThat(store.ledger("bob", s.peerDevice()))
        .hasValueSatisfying(l -> assertThat(l.head()).isEqualTo(ledger));
    assertThat(store.sessions("carol")).isEmpty();
    assertThat(store.ledger("carol", s.peerDevice())).isEmpty();
  }

  @Test
  void savingTheSameSessionAgain_replacesIt_andItsLedger() throws Exception {
    SessionStore store = store();
    byte[] device = random(32);
    byte[] id = random(16);
    store.save(session("bob", device, id, 1000), ledger(random(80)));
    StoredSession later = session("bob", device, id, 2000);
    byte[] ledger = random(90);
    store.save(later, ledger(ledger));
    assertThat(store.sessions("bob")).containsExactly(later);
    assertThat(store.ledger("bob", device))
        .hasValueSatisfying(l -> assertThat(l.head()).isEqualTo(ledger));
  }

  @Test
  void sessions_comeMostRecentlyUsedFirst() throws Exception {
    SessionStore store = store();
    byte[] device = random(32);
    StoredSession old = session("bob", device, random(16), 1000);
    StoredSession recent = session("bob", device, random(16), 3000);
    StoredSession middle = session("bob", device, random(16), 2000);
    store.save(old, ledger(random(10)));
    store.save(recent, ledger(random(10)));
    store.save(middle, ledger(random(10)));
    assertThat(store.sessions("bob")).containsExactly(recent, middle, old);
  }

  @Test
  void aFifthSessionWithADevice_dropsTheLeastRecentlyUsed_andNoOtherDevicesSession()
      throws Exception {
    SessionStore store = store();
    byte[] device = random(32);
    byte[] other = random(32);
    StoredSession otherDevice = session("bob", other, random(16), 1);
    store.save(otherDevice, ledger(random(10)));
    StoredSession[] mine = new StoredSession[5];
    for (int i = 0; i < 5; i++) {
      mine[i] = session("bob", device, random(16), 100 + (i == 4 ? 50 : i * 100L));
    }
    // used at 100, 200, 300, 400, then one at 150: the one used at 100 goes
    for (StoredSession s : mine) {
      store.save(s, ledger(random(10)));
    }
    List<StoredSession> kept = store.sessions("bob");
    assertThat(kept).hasSize(5).contains(otherDevice).doesNotContain(mine[0]);
    assertThat(kept.stream().filter(s -> Arrays.equals(s.peerDevice(), device)))
        .containsExactly(mine[3], mine[2], mine[1], mine[4]);
  }

  @Test
  void ledgerEntries_areAddedBySaves_oldestFirst_andThoseBeforeKeepFromRemoved() throws Exception {
    SessionStore store = store();
    byte[] device = random(32);
    byte[] id = random(16);
    LedgerEntry one = new LedgerEntry(1, random(41));
    LedgerEntry two = new LedgerEntry(2, random(41));
    LedgerEntry three = new LedgerEntry(3, random(41));
    byte[] head = random(60);
    long first =
        store.save(
            session("bob", device, id, 1000),
            new SessionStore.LedgerUpdate(random(60), List.of(two, one), 1));
    long second =
        store.save(
            session("bob", device, id, 2000),
            new SessionStore.LedgerUpdate(head, List.of(three), 2));

    SessionStore.StoredLedger stored = store.ledger("bob", device).orElseThrow();
    assertThat(stored.entries()).containsExactly(two, three);
    assertThat(stored.head()).isEqualTo(head);
    assertThat(stored.generation()).isEqualTo(second).isNotEqualTo(first);
    assertThat(store.ledgerGeneration("bob", device)).hasValue(second);
    assertThat(store.ledgerGeneration("bob", random(32))).isEmpty();

    store.save(
        session("bob", device, id, 3000),
        new SessionStore.LedgerUpdate(head, List.of(), Long.MAX_VALUE));
    assertThat(store.ledger("bob", device).orElseThrow().entries()).isEmpty();
  }

  @Test
  void prekeys_areAbsentUntilSaved_thenReplaced() throws Exception {
    SessionStore store = store();
    assertThat(store.prekeys()).isEmpty();
    store.savePrekeys(random(2000));
    byte[] second = random(2100);
    store.savePrekeys(second);
    assertThat(store.prekeys()).hasValueSatisfying(p -> assertThat(p).isEqualTo(second));
  }
}
