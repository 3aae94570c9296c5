package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.ratchet.RatchetState;
import dev.ztchat.core.session.ConversationLedger;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * A ledger kept decoded is used only while the store's generation of it is the one it was saved as;
 * what it hands the store is only what changed.
 */
class DecodedLedgersTest {
  private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
  private static final byte[] DEVICE = new byte[StoredSession.DEVICE_ID_BYTES];

  private final InMemorySessionStore store = new InMemorySessionStore();
  private final DecodedLedgers ledgers = new DecodedLedgers();

  private long save(SessionStore.LedgerUpdate update) throws IOException {
    return store.save(
        new StoredSession(
            "bob",
            DEVICE,
            new byte[StoredSession.SESSION_ID_BYTES],
            new byte[] {1},
            new byte[] {1},
            NOW.toEpochMilli()),
        update);
  }

  /** Saves {@code ledger}'s changes and keeps it, as the sealer and opener do. */
  private void saveAndKeep(ConversationLedger ledger) throws IOException {
    long generation = save(DecodedLedgers.update(ledger));
    ledgers.stored("bob", DEVICE, generation, ledger);
  }

  private static byte[] id(int i) {
    return new byte[] {(byte) i, (byte) (i >> 8), 7};
  }

  @Test
  void aStoredLedger_isUsedAgainAsKept_whileTheStoreHoldsItsGeneration() throws Exception {
    ConversationLedger ledger = ledgers.load(store, "bob", DEVICE);
    ledger.nextOutgoing(id(1), NOW);
    saveAndKeep(ledger);

    assertThat(ledgers.load(store, "bob", DEVICE)).isSameAs(ledger);
  }

  @Test
  void whenTheStoreWasChangedBehindItsBack_itIsDecoded_notTheKeptLedgerUsed() throws Exception {
    ConversationLedger kept = ConversationLedger.create();
    kept.nextOutgoing(id(1), NOW);
    saveAndKeep(kept);
    ConversationLedger other = ConversationLedger.create();
    for (int i = 0; i < 3; i++) {
      other.nextOutgoing(id(10 + i), NOW);
    }
    save(DecodedLedgers.update(other));

    ConversationLedger loaded = ledgers.load(store, "bob", DEVICE);

    assertThat(loaded).isNotSameAs(kept);
    assertThat(loaded.toBytes()).isEqualTo(other.toBytes());
  }

  @Test
  void aLedgerLoadedAndNotStoredAgain_isDecodedFromTheStoreNextTime() throws Exception {
    ConversationLedger ledger = ConversationLedger.create();
    saveAndKeep(ledger);
    byte[] state = ledger.toBytes();
    ConversationLedger taken = ledgers.load(store, "bob", DEVICE);
    taken.nextOutgoing(id(1), NOW); // changed, then the message fails before it is stored

    ConversationLedger again = ledgers.load(store, "bob", DEVICE);

    assertThat(again).isNotSameAs(taken);
    assertThat(again.toBytes()).isEqualTo(state);
  }

  @Test
  void aMessage_addsOneEntry_andAConfirmationRemovesTheConfirmedOnes() throws Exception {
    ConversationLedger ledger = ledgers.load(store, "bob", DEVICE);
    for (int i = 1; i <= 3; i++) {
      ledger.nextOutgoing(id(i), NOW);
      saveAndKeep(ledger);
      ledger = ledgers.load(store, "bob", DEVICE);
    }
    ledger.nextOutgoing(id(4), NOW);

    SessionStore.LedgerUpdate update = DecodedLedgers.update(ledger);

    assertThat(update.added()).singleElement().satisfies(e -> assertThat(e.seq()).isEqualTo(4));
    assertThat(update.keepFrom()).isEqualTo(1);
    saveAndKeep(ledger);
    SessionStore.StoredLedger stored = store.ledger("bob", DEVICE).orElseThrow();
    assertThat(stored.entries()).extracting(e -> e.seq()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(ConversationLedger.fromStored(stored.head(), stored.entries()).toBytes())
        .isEqualTo(ledger.toBytes());
  }

  @Test
  void aWholeLedgerStoredBeforeEntriesHadRows_isRead_andItsEntriesWrittenAtTheNextSave()
      throws Exception {
    ConversationLedger old = ConversationLedger.create();
    for (int i = 1; i <= 3; i++) {
      old.nextOutgoing(id(i), NOW);
    }
    save(new SessionStore.LedgerUpdate(old.toBytes(), List.of(), Long.MAX_VALUE));

    ConversationLedger loaded = ledgers.load(store, "bob", DEVICE);
    assertThat(loaded.toBytes()).isEqualTo(old.toBytes());
    loaded.nextOutgoing(id(4), NOW);
    saveAndKeep(loaded);

    SessionStore.StoredLedger stored = store.ledger("bob", DEVICE).orElseThrow();
    assertThat(stored.head()[0]).isEqualTo((byte) 2);
    assertThat(stored.entries()).extracting(e -> e.seq()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(ConversationLedger.fromStored(stored.head(), stored.entries()).toBytes())
        .isEqualTo(loaded.toBytes());
  }

  @Test
  void aCorruptStoredLedger_isAnIoError() throws Exception {
    save(new SessionStore.LedgerUpdate(new byte[] {9, 9, 9}, List.of(), Long.MAX_VALUE));
    assertThatThrownBy(() -> ledgers.load(store, "bob", DEVICE))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("corrupt");
  }

  private static RatchetState ratchet() {
    return RatchetState.initiator(
        filled(RatchetState.SECRET_BYTES, 1),
        X25519.generate(new SecureRandom()).publicKey(),
        filled(RatchetState.SECRET_BYTES, 2));
  }

  private static byte[] filled(int n, int value) {
    byte[] out = new byte[n];
    Arrays.fill(out, (byte) value);
    return out;
  }

  private StoredSession session(RatchetState state) {
    return new StoredSession(
        "bob",
        DEVICE,
        new byte[StoredSession.SESSION_ID_BYTES],
        new byte[] {1},
        state.toBytes(),
        NOW.toEpochMilli());
  }

  /** Saves {@code state}'s session and keeps it decoded, as the sealer and opener do. */
  private long saveAndKeep(RatchetState state) throws IOException {
    StoredSession session = session(state);
    long generation = store.save(session, DecodedLedgers.update(ConversationLedger.create()));
    ledgers.storedSession(generation, session, state, null);
    return generation;
  }

  @Test
  void aStoredSession_isUsedAgainDecoded_whileTheStoreHoldsItsGeneration() throws Exception {
    RatchetState state = ratchet();
    long generation = saveAndKeep(state);

    assertThat(ledgers.session("bob", DEVICE, OptionalLong.of(generation)))
        .hasValueSatisfying(k -> assertThat(k.state()).isSameAs(state));
  }

  @Test
  void aSessionChangedInTheStoreBehindItsBack_isDropped_andItsKeysZeroed() throws Exception {
    RatchetState kept = ratchet();
    saveAndKeep(kept);
    long changed =
        store.save(session(ratchet()), DecodedLedgers.update(ConversationLedger.create()));

    assertThat(ledgers.session("bob", DEVICE, OptionalLong.of(changed))).isEmpty();
    byte[] zeroed = kept.toBytes();
    // version, flags, AD (32 bytes), then the root key: zeroed
    assertThat(Arrays.copyOfRange(zeroed, 34, 66)).containsOnly(0);
    assertThat(kept.usedToEncrypt()).isTrue();
  }

  @Test
  void aKeptStateUsedToEncrypt_andNotStoredAgain_isNotHandedOutAgain() throws Exception {
    RatchetState state = ratchet();
    long generation = saveAndKeep(state);
    state.encrypt(new byte[] {1}, new byte[0], NOW, new SecureRandom()); // its message then failed

    assertThat(ledgers.session("bob", DEVICE, OptionalLong.of(generation))).isEmpty();
  }
}
