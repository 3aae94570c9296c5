package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupChangeLinesTest {
  static final Instant T0 = Instant.parse("2030-01-02T03:04:05Z");
  static final String GROUP = "00112233445566778899aabbccddeeff";
  static final String KEY = Groups.KEY_PREFIX + GROUP;

  static UserIdentity alice;

  @TempDir Path dir;
  ClientStore store;
  ConversationHistory history;
  GroupChangeLines lines;

  @BeforeAll
  static void keys() {
    alice = TestPki.create("alice").user("alice");
  }

  @BeforeEach
  void open() throws IOException {
    store = ClientStore.open(dir);
    Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    history = new ConversationHistory(store, AtRestKey.openOrCreate(store, alice), clock);
    lines = new GroupChangeLines(history, clock, new SecureRandom());
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void changeLines_comeBackAfterReopen_inTheirPlaceAmongTheTexts_andAreTheOnlyRowsWithoutSender()
      throws Exception {
    history.recordIncoming(KEY, "01", T0, GroupConversations.stored("bob", "before"));
    lines.record(GROUP, "alice added dave to #team");
    history.recordIncoming(KEY, "02", T0, GroupConversations.stored("bob", ":after, a colon"));
    lines.record(GROUP, "dave left #team");
    store.close();
    open();

    List<HistoryEntry> rows = history.recent(KEY, 10);
    assertThat(rows)
        .extracting(HistoryEntry::text)
        .containsExactly(
            "bob:before", ":alice added dave to #team", "bob::after, a colon", ":dave left #team");
    List<Boolean> changes = new ArrayList<>();
    for (HistoryEntry e : rows) {
      changes.add(GroupChangeLines.isChange(GroupConversations.read(e)));
    }
    assertThat(changes).containsExactly(false, true, false, true);
    assertThat(GroupConversations.read(rows.get(2)).text()).isEqualTo(":after, a colon");
    assertThat(rows.get(1).messageIdHex()).isNotEqualTo(rows.get(3).messageIdHex());
  }

  @Test
  void aChangeLine_isSealedAtRest_likeTheTexts() throws Exception {
    lines.record(GROUP, "alice added dave to #team");

    try (Statement s = store.db().createStatement();
        ResultSet rs = s.executeQuery("SELECT body FROM history")) {
      assertThat(rs.next()).isTrue();
      assertThat(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1))
          .doesNotContain("dave")
          .doesNotContain("added");
    }
  }
}
