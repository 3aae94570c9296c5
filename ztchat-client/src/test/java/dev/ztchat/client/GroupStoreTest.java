package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupStoreTest {
  private static final String G1 = "00112233445566778899aabbccddeeff";
  private static final String G2 = "ffeeddccbbaa99887766554433221100";

  static UserIdentity alice;

  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    alice = TestPki.create("alice").user("alice");
  }

  @Test
  void aSchema4Store_isMigrated_keepingItsHistory_andStoresGroups() throws Exception {
    try (ClientStore store = ClientStore.open(dir);
        Statement s = store.db().createStatement()) {
      new ConversationHistory(store, AtRestKey.openOrCreate(store, alice), Clock.systemUTC())
          .recordIncoming("bob", "0011", Instant.now(), "kept across the migration");
      // The store as schema 4 left it: no group tables.
      s.execute("DROP TABLE groups");
      s.execute("DROP TABLE group_receipts");
      s.execute("DROP TABLE group_records");
      s.execute("ALTER TABLE v2_sessions DROP COLUMN pending");
      s.execute("ALTER TABLE history DROP COLUMN partial"); // schema 6
      s.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'");
    }

    try (ClientStore store = ClientStore.open(dir);
        Statement s = store.db().createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
        assertThat(rs.getString(1)).isEqualTo(String.valueOf(ClientStore.SCHEMA_VERSION));
      }
      AtRestKey key = AtRestKey.openOrCreate(store, alice);
      assertThat(new ConversationHistory(store, key, Clock.systemUTC()).recent("bob", 10))
          .extracting(HistoryEntry::text)
          .containsExactly("kept across the migration");
      GroupStore groups = new GroupStore(store, key, Clock.systemUTC());
      groups.put(G1, "state one".getBytes(StandardCharsets.UTF_8));
      assertThat(groups.get(G1))
          .hasValueSatisfying(b -> assertThat(b).asString().isEqualTo("state one"));
    }
  }

  @Test
  void groups_areListedInTheOrderLearnt_andAReplacedStateKeepsItsPlace() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      GroupStore groups =
          new GroupStore(store, AtRestKey.openOrCreate(store, alice), Clock.systemUTC());
      groups.put(G2, new byte[] {2});
      groups.put(G1, new byte[] {1});
      groups.put(G2, new byte[] {3});

      assertThat(groups.all()).extracting(GroupStore.Stored::groupIdHex).containsExactly(G2, G1);
      assertThat(groups.get(G2)).hasValueSatisfying(b -> assertThat(b).containsExactly(3));
      assertThat(groups.get("0102")).isEmpty();
    }
  }

  @Test
  void groupState_neverReachesTheDatabaseFileInClear() throws Exception {
    String secret = "members-plaintext-4c1e carol dave";
    try (ClientStore store = ClientStore.open(dir)) {
      new GroupStore(store, AtRestKey.openOrCreate(store, alice), Clock.systemUTC())
          .put(G1, secret.getBytes(StandardCharsets.UTF_8));
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .as(f.getFileName().toString())
            .doesNotContain("members-plaintext-4c1e");
      }
    }
  }

  @Test
  void aStateMovedToAnotherGroupsRow_failsItsIntegrityCheck() throws Exception {
    try (ClientStore store = ClientStore.open(dir);
        Statement s = store.db().createStatement()) {
      GroupStore groups =
          new GroupStore(store, AtRestKey.openOrCreate(store, alice), Clock.systemUTC());
      groups.put(G1, new byte[] {1});
      groups.put(G2, new byte[] {2});
      s.execute(
          "UPDATE groups SET body = (SELECT body FROM groups WHERE group_id = '"
              + G1
              + "') WHERE group_id = '"
              + G2
              + "'");

      assertThatThrownBy(() -> groups.get(G2))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("fails its integrity check");
    }
  }

  @Test
  void receiptsOfAGroupMessage_areKeptOncePerMember_inArrivalOrder() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      GroupStore groups =
          new GroupStore(store, AtRestKey.openOrCreate(store, alice), Clock.systemUTC());
      assertThat(groups.recordReceipt(G1, "carol")).isTrue();
      assertThat(groups.recordReceipt(G1, "bob")).isTrue();
      assertThat(groups.recordReceipt(G1, "carol")).isFalse();

      assertThat(groups.receipts(G1)).containsExactly("carol", "bob");
      assertThat(groups.receipts(G2)).isEmpty();
    }
  }
}
