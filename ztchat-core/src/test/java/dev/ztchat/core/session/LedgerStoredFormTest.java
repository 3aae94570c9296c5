package dev.ztchat.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A ledger's stored form as a store keeps it (docs/v2/conversation-ledger.md section 7): a small
 * head and one entry per unconfirmed message, saved as it changes, read back strictly.
 */
class LedgerStoredFormTest {
  private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

  /** What a store does with the changes: the head replaced, entries added, confirmed ones gone. */
  private final TreeMap<Long, LedgerEntry> rows = new TreeMap<>();

  private byte[] head;

  private void save(ConversationLedger ledger) {
    head = ledger.head();
    for (LedgerEntry e : ledger.unsavedEntries()) {
      rows.put(e.seq(), e);
    }
    rows.headMap(ledger.firstUnconfirmedSeq()).clear();
    ledger.markSaved();
  }

  private ConversationLedger reload() throws MalformedSessionDataException {
    return ConversationLedger.fromStored(head, List.copyOf(rows.values()));
  }

  private static byte[] id(long n) {
    return new byte[] {1, (byte) n, (byte) (n >> 8)};
  }

  @Test
  void eachMessage_addsOneEntry_andTheStoredFormReadsBackAsTheSameLedger() throws Exception {
    ConversationLedger alice = ConversationLedger.create();
    ConversationLedger bob = ConversationLedger.create();
    List<LedgerCommitment> fromBob = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      alice.nextOutgoing(id(i), now);
      assertThat(alice.unsavedEntries()).extracting(LedgerEntry::seq).containsExactly((long) i);
      save(alice);
      assertThat(alice.unsavedEntries()).isEmpty();
      assertThat(reload().toBytes()).isEqualTo(alice.toBytes());
    }
    // bob received 1 to 3 and answers: alice's first unconfirmed message is then 4.
    for (int i = 1; i <= 3; i++) {
      bob.receive(new LedgerCommitment(i, 0, 0, LedgerChain.start(), List.of()), id(i), now, now);
    }
    fromBob.add(bob.nextOutgoing(id(100), now));
    alice.receive(fromBob.getFirst(), id(100), now, now);
    assertThat(alice.firstUnconfirmedSeq()).isEqualTo(4);
    save(alice);

    assertThat(rows.keySet()).containsExactly(4L, 5L);
    assertThat(reload().toBytes()).isEqualTo(alice.toBytes());
  }

  @Test
  void theHead_staysSmall_whateverTheNumberOfUnconfirmedMessages() {
    ConversationLedger alice = ConversationLedger.create();
    for (int i = 1; i <= ConversationLedger.MAX_UNCONFIRMED + 10; i++) {
      alice.nextOutgoing(id(i), now);
      save(alice);
    }
    assertThat(alice.head().length).isLessThan(200);
    assertThat(rows).hasSize(ConversationLedger.MAX_UNCONFIRMED);
    assertThat(alice.firstUnconfirmedSeq()).isEqualTo(11);
  }

  @Test
  void aWholeStateAsHead_isRead_withEveryEntryStillToSave() throws Exception {
    ConversationLedger alice = ConversationLedger.create();
    for (int i = 1; i <= 3; i++) {
      alice.nextOutgoing(id(i), now);
    }
    ConversationLedger old = ConversationLedger.fromStored(alice.toBytes(), List.of());

    assertThat(old.toBytes()).isEqualTo(alice.toBytes());
    assertThat(old.unsavedEntries()).extracting(LedgerEntry::seq).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aStoredFormWithAMissingMovedOrForeignEntry_isRefused() {
    ConversationLedger alice = ConversationLedger.create();
    for (int i = 1; i <= 3; i++) {
      alice.nextOutgoing(id(i), now);
    }
    save(alice);
    List<LedgerEntry> all = List.copyOf(rows.values());
    LedgerEntry first = all.getFirst();

    assertRefused(head, List.of(all.get(0), all.get(2)));
    assertRefused(head, all.subList(0, 2));
    assertRefused(head, List.of(all.get(1), all.get(0), all.get(2)));
    assertRefused(head, List.of(new LedgerEntry(1, all.get(1).body()), all.get(1), all.get(2)));
    byte[] longer = Arrays.copyOf(first.body(), first.body().length + 1);
    assertRefused(head, List.of(new LedgerEntry(1, longer), all.get(1), all.get(2)));
    assertRefused(alice.toBytes(), all);
    byte[] otherVersion = head.clone();
    otherVersion[0] = 3;
    assertRefused(otherVersion, all);
    for (int n = 0; n < head.length; n++) {
      assertRefused(Arrays.copyOf(head, n), all);
    }
    assertRefused(Arrays.copyOf(head, head.length + 1), all);
  }

  private static void assertRefused(byte[] head, List<LedgerEntry> entries) {
    assertThatThrownBy(() -> ConversationLedger.fromStored(head, entries))
        .isInstanceOf(MalformedSessionDataException.class);
  }
}
