package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.HistoryEntry.Direction;
import dev.ztchat.client.HistoryEntry.State;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationHistoryTest {
  static final Instant T0 = Instant.parse("2030-01-02T03:04:05Z");
  static final String ID1 = "00112233445566778899aabbccddeeff";
  static final String ID2 = "ffeeddccbbaa99887766554433221100";
  static final String ID3 = "0123456789abcdef0123456789abcdef";
  static UserIdentity alice;

  @TempDir Path dir;
  ClientStore store;
  ConversationHistory history;

  @BeforeAll
  static void keys() {
    alice = TestPki.create("alice").user("alice");
  }

  @BeforeEach
  void open() throws IOException {
    store = ClientStore.open(dir);
    history =
        new ConversationHistory(
            store, AtRestKey.openOrCreate(store, alice), Clock.fixed(T0, ZoneOffset.UTC));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void reopen() throws IOException {
    store.close();
    open();
  }

  @Test
  void recordedMessages_comeBackDecrypted_oldestFirst_afterReopen() throws Exception {
    history.recordIncoming("bob", ID1, T0, "hi alice");
    history.recordOutgoing("bob", ID2, T0.plusSeconds(1), "hi bob, ça va? 🙂");
    history.recordIncoming("carol", ID3, T0, "not in bob's conversation");
    reopen();

    assertThat(history.recent("bob", 10))
        .containsExactly(
            new HistoryEntry("bob", Direction.IN, ID1, T0, State.RECEIVED, "hi alice"),
            new HistoryEntry(
                "bob", Direction.OUT, ID2, T0.plusSeconds(1), State.PENDING, "hi bob, ça va? 🙂"));
  }

  @Test
  void recent_returnsOnlyTheLastEntries_stillOldestFirst() throws Exception {
    history.recordIncoming("bob", ID1, T0, "one");
    history.recordIncoming("bob", ID2, T0, "two");
    history.recordIncoming("bob", ID3, T0, "three");

    assertThat(history.recent("bob", 2))
        .extracting(HistoryEntry::text)
        .containsExactly("two", "three");
    assertThat(history.recent("nobody", 5)).isEmpty();
    assertThatThrownBy(() -> history.recent("bob", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void duplicateIncoming_isNotStoredTwice_andIsReportedAsNotNew() throws Exception {
    assertThat(history.hasIncoming("bob", ID1)).isFalse();
    assertThat(history.recordIncoming("bob", ID1, T0, "once")).isTrue();
    assertThat(history.recordIncoming("bob", ID1, T0, "once")).isFalse();
    assertThat(history.recordIncoming("bob", ID1.toUpperCase(Locale.ROOT), T0, "once")).isFalse();

    assertThat(history.hasIncoming("bob", ID1)).isTrue();
    assertThat(history.hasIncoming("carol", ID1)).isFalse();
    assertThat(history.recent("bob", 10)).hasSize(1);
  }

  @Test
  void sameIdFromAnotherPeerOrInTheOtherDirection_isADifferentMessage() throws Exception {
    assertThat(history.recordIncoming("bob", ID1, T0, "from bob")).isTrue();
    assertThat(history.recordIncoming("carol", ID1, T0, "from carol")).isTrue();
    assertThat(history.recordOutgoing("bob", ID1, T0, "to bob")).isTrue();
  }

  @Test
  void outgoingMessage_movesFromPendingToSentToDelivered_once() throws Exception {
    history.recordOutgoing("bob", ID1, T0, "hello");
    assertThat(history.markSent("bob", ID1)).isTrue();
    assertThat(history.markSent("bob", ID1)).isFalse();
    assertThat(history.recent("bob", 1).getFirst().state()).isEqualTo(State.SENT);

    assertThat(history.markDelivered("bob", ID1)).isTrue();
    assertThat(history.markDelivered("bob", ID1)).isFalse();
    assertThat(history.recent("bob", 1).getFirst().state()).isEqualTo(State.DELIVERED);
  }

  @Test
  void receipt_forAnIncomingMessageOrAnotherPeer_changesNothing() throws Exception {
    history.recordIncoming("bob", ID1, T0, "from bob");
    history.recordOutgoing("bob", ID2, T0, "to bob");

    assertThat(history.markDelivered("bob", ID1)).isFalse();
    assertThat(history.markDelivered("carol", ID2)).isFalse();
    assertThat(history.recent("bob", 10))
        .extracting(HistoryEntry::state)
        .containsExactly(State.RECEIVED, State.PENDING);
  }

  @Test
  void bodiesSwappedBetweenRows_areRejected_andNoTextIsReturned() throws Exception {
    history.recordIncoming("bob", ID1, T0, "first");
    history.recordIncoming("bob", ID2, T0, "second");
    try (Statement s = store.db().createStatement()) {
      s.execute(
          "UPDATE history SET body = CASE id"
              + " WHEN 1 THEN (SELECT body FROM history WHERE id = 2)"
              + " ELSE (SELECT body FROM history WHERE id = 1) END");
    }

    assertThatThrownBy(() -> history.recent("bob", 10))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("altered or damaged")
        .hasMessageNotContaining("first")
        .hasMessageNotContaining("second");
  }

  @Test
  void rowMovedToAnotherPeerOrTime_isRejected() throws Exception {
    history.recordIncoming("bob", ID1, T0, "from bob");
    try (Statement s = store.db().createStatement()) {
      s.execute("UPDATE history SET peer = 'carol'");
    }
    assertThatThrownBy(() -> history.recent("carol", 10))
        .hasMessageContaining("altered or damaged");

    history.recordIncoming("bob", ID2, T0, "from bob");
    try (Statement s = store.db().createStatement()) {
      s.execute("UPDATE history SET sent_at = sent_at + 1 WHERE peer = 'bob'");
    }
    assertThatThrownBy(() -> history.recent("bob", 10)).hasMessageContaining("altered or damaged");
  }

  @Test
  void entryToString_leavesOutTheText() throws Exception {
    history.recordIncoming("bob", ID1, T0, "secret words");
    List<HistoryEntry> entries = history.recent("bob", 1);

    assertThat(entries.toString()).contains("bob", ID1).doesNotContain("secret words");
  }

  @Test
  void malformedArguments_areRefused() {
    assertThatThrownBy(() -> history.recordIncoming("bob", "not hex", T0, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> history.recordIncoming("", ID1, T0, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> history.recordIncoming("bob", ID1, T0, null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void aGroupTextThatReachedSomeMembersOnly_keepsWhoNotAndWhy_acrossAReopen() throws Exception {
    history.recordOutgoing("#g", ID1, T0, "alice:hello team");
    history.markSent("#g", ID1);
    history.markPartial(
        "#g",
        ID1,
        3,
        new GroupShortfall(List.of(), List.of("carol"), GroupShortfall.MAILBOX_FULL, false));
    reopen();

    HistoryEntry kept = history.recent("#g", 1).getFirst();
    assertThat(kept.state()).isEqualTo(State.SENT);
    assertThat(kept.partial()).isPresent();
    assertThat(kept.partial().get().describe("alice"))
        .isEqualTo("sent to 2 of 3: not to carol (" + GroupShortfall.MAILBOX_FULL + ")");
  }

  @Test
  void aRetryThatStillMissesAMember_keepsTheFirstCount_andReachingAllClearsTheNote()
      throws Exception {
    history.recordOutgoing("#g", ID1, T0, "alice:hello team");
    history.markPartial(
        "#g", ID1, 3, new GroupShortfall(List.of(), List.of("carol", "zed"), "busy", true));
    history.markPartial(
        "#g", ID1, 1, new GroupShortfall(List.of(), List.of("zed"), "still busy", true));

    assertThat(history.recent("#g", 1).getFirst().partial().get().describe("alice"))
        .isEqualTo(
            "sent to 2 of 3: not yet to zed (still busy); sent again when you next send or"
                + " reconnect");
    history.markReachedAll("#g", ID1);
    assertThat(history.recent("#g", 1).getFirst().partial()).isEmpty();
  }

  @Test
  void aSchema5Store_isMigrated_keepingItsHistory_andThenKeepsPartialDeliveries() throws Exception {
    history.recordOutgoing("#g", ID1, T0, "alice:from before the upgrade");
    try (Statement s = store.db().createStatement()) {
      s.execute("ALTER TABLE history DROP COLUMN partial"); // the store as schema 5 left it
      s.execute("DROP TABLE group_records"); // schema 7
      s.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'");
    }
    reopen();

    assertThat(history.recent("#g", 1).getFirst().partial()).isEmpty();
    history.markPartial(
        "#g", ID1, 2, new GroupShortfall(List.of(), List.of("zed"), "refused", false));
    assertThat(history.recent("#g", 1).getFirst())
        .satisfies(e -> assertThat(e.text()).isEqualTo("alice:from before the upgrade"))
        .satisfies(e -> assertThat(e.partial()).isPresent());
  }

  @Test
  void aPartialDeliveryNoteMovedToAnotherMessage_failsItsIntegrityCheck() throws Exception {
    history.recordOutgoing("#g", ID1, T0, "alice:one");
    history.recordOutgoing("#g", ID2, T0, "alice:two");
    history.markPartial(
        "#g", ID1, 2, new GroupShortfall(List.of(), List.of("zed"), "refused", false));
    try (Statement s = store.db().createStatement()) {
      s.executeUpdate(
          "UPDATE history SET partial = (SELECT partial FROM history WHERE message_id = '"
              + ID1
              + "') WHERE message_id = '"
              + ID2
              + "'");
    }

    assertThatThrownBy(() -> history.recent("#g", 2))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("integrity");
  }
}
