package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.conversation.ChangeRecordSealer;
import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupOp;
import dev.ztchat.core.group.GroupRules;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records of group changes kept to forward to a device that joins late (docs/v2/groups.md
 * section 6.6): the chain of the current state, sealed at rest, upgraded into an older store.
 */
class GroupRecordStoreTest {
  static TestPki pki;
  static ChangeRecordSealer alicesDevice;

  @TempDir Path dir;

  private final GroupId id = GroupId.random(new SecureRandom());

  @BeforeAll
  static void keys() throws Exception {
    pki = TestPki.create("alice", "bob", "carol", "dave", "erin");
    Credential device = pki.device("alice");
    alicesDevice =
        new ChangeRecordSealer(
            new DeviceKey(device.privateKey(), device.certificate()), new SecureRandom());
  }

  private GroupChange create() throws Exception {
    return GroupRules.create(id, "team", "alice", List.of("bob", "carol"));
  }

  private ForwardedChange record(GroupChange change) {
    return alicesDevice.seal("alice", change, Instant.now());
  }

  private static List<String> hashes(List<GroupChange> changes) {
    return changes.stream().map(c -> c.newState().hashHex()).toList();
  }

  @Test
  void aSchema5Store_isUpgradedInPlace_keepingItsGroupsAndHistory_andKeepsRecords()
      throws Exception {
    GroupChange create = create();
    try (ClientStore store = ClientStore.open(dir);
        Statement s = store.db().createStatement()) {
      AtRestKey key = AtRestKey.openOrCreate(store, pki.user("alice"));
      new ConversationHistory(store, key, Clock.systemUTC())
          .recordIncoming("bob", "0011", Instant.now(), "kept across the upgrade");
      new GroupStore(store, key, Clock.systemUTC()).put(id.hex(), new byte[] {7});
      // The store as schema 5 left it: no table of records.
      s.execute("DROP TABLE group_records");
      s.execute("ALTER TABLE history DROP COLUMN partial"); // schema 6
      s.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'");
    }

    try (ClientStore store = ClientStore.open(dir);
        Statement s = store.db().createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
        assertThat(rs.getString(1)).isEqualTo(String.valueOf(ClientStore.SCHEMA_VERSION));
      }
      AtRestKey key = AtRestKey.openOrCreate(store, pki.user("alice"));
      assertThat(new ConversationHistory(store, key, Clock.systemUTC()).recent("bob", 10))
          .extracting(HistoryEntry::text)
          .containsExactly("kept across the upgrade");
      assertThat(new GroupStore(store, key, Clock.systemUTC()).get(id.hex()))
          .hasValueSatisfying(b -> assertThat(b).containsExactly(7));
      GroupRecordStore records = new GroupRecordStore(store, key);
      ForwardedChange r = record(create);
      records.keep(create, r);
      assertThat(records.chain(create.newState()))
          .extracting(GroupRecordStore.Kept::stateHashHex)
          .containsExactly(create.newState().hashHex());
      assertThat(records.record(id.hex(), create.newState().hashHex()))
          .hasValueSatisfying(got -> assertThat(got.encode()).isEqualTo(r.encode()));
    }
  }

  @Test
  void theChainOfTheCurrentState_leavesOutAChangeUndoneByAConcurrentWinner_andWaitingOnesStay()
      throws Exception {
    GroupChange create = create();
    GroupChange addDave =
        GroupRules.propose(create.newState(), "alice", GroupOp.ADD, List.of("dave"));
    GroupChange addErin =
        GroupRules.propose(create.newState(), "alice", GroupOp.ADD, List.of("erin"));
    boolean daveWins = addDave.newState().hashHex().compareTo(addErin.newState().hashHex()) < 0;
    GroupChange winner = daveWins ? addDave : addErin;
    GroupChange loser = daveWins ? addErin : addDave;
    GroupChange after =
        GroupRules.propose(winner.newState(), "alice", GroupOp.REMOVE, List.of("carol"));
    GroupChange later =
        GroupRules.propose(after.newState(), "alice", GroupOp.REMOVE, List.of("bob"));
    try (ClientStore store = ClientStore.open(dir)) {
      GroupRecordStore records =
          new GroupRecordStore(store, AtRestKey.openOrCreate(store, pki.user("alice")));
      records.keep(create, record(create));
      records.keep(loser, record(loser));
      records.prune(loser.newState());
      records.keep(winner, record(winner));
      records.keep(later, record(later)); // arrived early: it waits for "after"
      records.prune(winner.newState());

      assertThat(records.chain(winner.newState()))
          .extracting(GroupRecordStore.Kept::stateHashHex)
          .containsExactlyElementsOf(hashes(List.of(create, winner)));
      assertThat(records.record(id.hex(), loser.newState().hashHex()))
          .as("the change undone by the winner is forgotten")
          .isEmpty();
      records.keep(after, record(after));
      records.prune(later.newState());
      assertThat(records.chain(later.newState()))
          .extracting(GroupRecordStore.Kept::stateHashHex)
          .containsExactlyElementsOf(hashes(List.of(create, winner, after, later)));
    }
  }

  @Test
  void aChangeOfMineWaitingUnsealed_forgetsNoRecord_andTheChainIsWholeOnceItIsSealed()
      throws Exception {
    GroupChange create = create();
    GroupChange addDave =
        GroupRules.propose(create.newState(), "alice", GroupOp.ADD, List.of("dave"));
    try (ClientStore store = ClientStore.open(dir)) {
      GroupRecordStore records =
          new GroupRecordStore(store, AtRestKey.openOrCreate(store, pki.user("alice")));
      records.keep(create, record(create));
      records.prune(create.newState());
      records.prune(addDave.newState()); // made offline: applied here, its record not yet kept

      assertThat(records.record(id.hex(), create.newState().hashHex()))
          .as("the chain before the waiting change is kept")
          .isPresent();
      records.replace(addDave, record(addDave)); // sealed once connected
      records.prune(addDave.newState());
      assertThat(records.chain(addDave.newState()))
          .extracting(GroupRecordStore.Kept::stateHashHex)
          .containsExactlyElementsOf(hashes(List.of(create, addDave)));
    }
  }

  @Test
  void atMost256RecordsAreKeptPerGroup_theOldestGoingFirst() throws Exception {
    List<GroupChange> all = new ArrayList<>(List.of(create()));
    for (int i = 0; i < GroupRecordStore.MAX_CHAIN + 2; i++) {
      GroupOp op = i % 2 == 0 ? GroupOp.ADD : GroupOp.REMOVE;
      all.add(GroupRules.propose(all.getLast().newState(), "alice", op, List.of("dave")));
    }
    try (ClientStore store = ClientStore.open(dir)) {
      GroupRecordStore records =
          new GroupRecordStore(store, AtRestKey.openOrCreate(store, pki.user("alice")));
      for (GroupChange c : all) {
        records.keep(c, record(c));
        records.prune(c.newState());
      }
      assertThat(records.chain(all.getLast().newState()))
          .extracting(GroupRecordStore.Kept::stateHashHex)
          .containsExactlyElementsOf(
              hashes(all.subList(all.size() - GroupRecordStore.MAX_CHAIN, all.size())));
    }
  }

  @Test
  void recordsAndTheirContentKeys_neverReachTheDatabaseFileInClear_andARowMovedFailsItsCheck()
      throws Exception {
    GroupChange create = create();
    GroupChange addDave =
        GroupRules.propose(create.newState(), "alice", GroupOp.ADD, List.of("dave"));
    ForwardedChange r = record(create);
    try (ClientStore store = ClientStore.open(dir);
        Statement s = store.db().createStatement()) {
      GroupRecordStore records =
          new GroupRecordStore(store, AtRestKey.openOrCreate(store, pki.user("alice")));
      records.keep(create, r);
      records.keep(addDave, record(addDave));
      s.execute(
          "UPDATE group_records SET body = (SELECT body FROM group_records WHERE state_hash = '"
              + create.newState().hashHex()
              + "') WHERE state_hash = '"
              + addDave.newState().hashHex()
              + "'");
      assertThatThrownBy(() -> records.record(id.hex(), addDave.newState().hashHex()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("fails its integrity check");
    }
    String key = HexFormat.of().formatHex(r.contentKey());
    String envelope = HexFormat.of().formatHex(r.envelope()).substring(0, 64);
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String raw = HexFormat.of().formatHex(Files.readAllBytes(f));
        assertThat(raw).as(f.getFileName().toString()).doesNotContain(key).doesNotContain(envelope);
      }
    }
  }
}
