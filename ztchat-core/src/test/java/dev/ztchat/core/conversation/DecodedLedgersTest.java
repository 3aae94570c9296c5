package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.session.ConversationLedger;
import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A ledger kept decoded is used only while the store holds exactly what it was stored as. */
class DecodedLedgersTest {
  private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
  private static final byte[] DEVICE = new byte[StoredSession.DEVICE_ID_BYTES];

  private final InMemorySessionStore store = new InMemorySessionStore();
  private final DecodedLedgers ledgers = new DecodedLedgers();

  private void save(byte[] ledgerState) throws IOException {
    store.save(
        new StoredSession(
            "bob",
            DEVICE,
            new byte[StoredSession.SESSION_ID_BYTES],
            new byte[] {1},
            new byte[] {1},
            NOW.toEpochMilli()),
        ledgerState);
  }

  private static byte[] id(int i) {
    return new byte[] {(byte) i, (byte) (i >> 8), 7};
  }

  @Test
  void aStoredLedger_isUsedAgainAsKept_whileTheStoreHoldsItsBytes() throws Exception {
    ConversationLedger ledger = ledgers.load(store, "bob", DEVICE);
    ledger.nextOutgoing(id(1), NOW);
    byte[] state = ledger.toBytes();
    save(state);
    ledgers.stored("bob", DEVICE, state, ledger);

    assertThat(ledgers.load(store, "bob", DEVICE)).isSameAs(ledger);
  }

  @Test
  void whenTheStoreHoldsOtherBytes_theyAreDecoded_notTheKeptLedgerUsed() throws Exception {
    ConversationLedger kept = ConversationLedger.create();
    kept.nextOutgoing(id(1), NOW);
    byte[] keptState = kept.toBytes();
    ledgers.stored("bob", DEVICE, keptState, kept);
    ConversationLedger other = ConversationLedger.create();
    for (int i = 0; i < 3; i++) {
      other.nextOutgoing(id(10 + i), NOW);
    }
    save(other.toBytes());

    ConversationLedger loaded = ledgers.load(store, "bob", DEVICE);

    assertThat(loaded).isNotSameAs(kept);
    assertThat(loaded.toBytes()).isEqualTo(other.toBytes());
  }

  @Test
  void aLedgerLoadedAndNotStoredAgain_isDecodedFromTheStoreNextTime() throws Exception {
    ConversationLedger ledger = ConversationLedger.create();
    byte[] state = ledger.toBytes();
    save(state);
    ledgers.stored("bob", DEVICE, state, ledger);
    ConversationLedger taken = ledgers.load(store, "bob", DEVICE);
    taken.nextOutgoing(id(1), NOW); // changed, then the message fails before it is stored

    ConversationLedger again = ledgers.load(store, "bob", DEVICE);

    assertThat(again).isNotSameAs(taken);
    assertThat(again.toBytes()).isEqualTo(state);
  }

  @Test
  void aCorruptStoredLedger_isAnIoError() throws Exception {
    save(new byte[] {9, 9, 9});
    assertThatThrownBy(() -> ledgers.load(store, "bob", DEVICE))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("corrupt");
  }
}
