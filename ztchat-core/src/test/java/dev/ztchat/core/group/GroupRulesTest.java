package dev.ztchat.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Who may change a group, and to what (docs/v2/groups.md section 5). */
class GroupRulesTest {
  private final GroupId id = GroupId.fromHex("00112233445566778899aabbccddeeff");

  private GroupState v1() throws Exception {
    return GroupRules.create(id, "team", "alice", List.of("bob", "carol")).newState();
  }

  @Test
  void create_makesTheCreatorTheOnlyAdmin_andTheOthersTheSubjects() throws Exception {
    GroupChange c = GroupRules.create(id, "team", "alice", List.of("carol", "bob", "alice"));

    assertThat(c.op()).isEqualTo(GroupOp.CREATE);
    assertThat(c.subjects()).containsExactly("bob", "carol");
    assertThat(c.newState().members()).containsExactly("alice", "bob", "carol");
    assertThat(c.newState().admins()).containsExactly("alice");
  }

  @Test
  void create_withNoOtherMember_isRefused() {
    assertThatThrownBy(() -> GroupRules.create(id, "team", "alice", List.of("alice")))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("at least one member besides you");
  }

  @Test
  void create_with65Members_isRefused_and64Accepted() throws Exception {
    List<String> others = IntStream.range(0, 64).mapToObj(i -> "u" + i).toList();

    assertThat(GroupRules.create(id, "big", "alice", others.subList(0, 63)).newState().members())
        .hasSize(64);
    assertThatThrownBy(() -> GroupRules.create(id, "big", "alice", others))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("at most 64");
  }

  @Test
  void adminAdd_chainsToTheNextVersion() throws Exception {
    GroupState v1 = v1();

    GroupChange add = GroupRules.propose(v1, "alice", GroupOp.ADD, List.of("dave"));

    assertThat(add.newState().version()).isEqualTo(2);
    assertThat(add.newState().prevHash()).isEqualTo(v1.hash());
    assertThat(add.newState().members()).containsExactly("alice", "bob", "carol", "dave");
    assertThat(add.newState().admins()).containsExactly("alice");
  }

  @Test
  void nonAdminAdd_isRefused() throws Exception {
    assertThatThrownBy(() -> GroupRules.propose(v1(), "bob", GroupOp.ADD, List.of("dave")))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("bob is not an admin of #team")
        .hasMessageContaining("ask alice");
  }

  @Test
  void nonAdminRemove_isRefused() throws Exception {
    assertThatThrownBy(() -> GroupRules.propose(v1(), "bob", GroupOp.REMOVE, List.of("carol")))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("not an admin");
  }

  @Test
  void changeByNonMember_isRefused() throws Exception {
    assertThatThrownBy(() -> GroupRules.propose(v1(), "mallory", GroupOp.LEAVE, List.of("mallory")))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("mallory is not a member of #team");
  }

  @Test
  void leaveByNonSubject_isRefused() throws Exception {
    assertThatThrownBy(() -> GroupRules.propose(v1(), "alice", GroupOp.LEAVE, List.of("bob")))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("can only leave #team itself");
  }

  @Test
  void addOfAMember_isRefused() throws Exception {
    assertThatThrownBy(() -> GroupRules.propose(v1(), "alice", GroupOp.ADD, List.of("bob")))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("bob is already a member");
  }

  @Test
  void removeOfANonMember_isRefused() throws Exception {
    assertThatThrownBy(() -> GroupRules.propose(v1(), "alice", GroupOp.REMOVE, List.of("dave")))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("dave is not a member");
  }

  @Test
  void adminRemovingItself_isToldToLeave() throws Exception {
    assertThatThrownBy(() -> GroupRules.propose(v1(), "alice", GroupOp.REMOVE, List.of("alice")))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("leave #team instead");
  }

  @Test
  void addBeyond64Members_isRefused() throws Exception {
    List<String> others = new ArrayList<>(IntStream.range(0, 63).mapToObj(i -> "u" + i).toList());
    GroupState full = GroupRules.create(id, "big", "alice", others).newState();

    assertThatThrownBy(() -> GroupRules.propose(full, "alice", GroupOp.ADD, List.of("zed")))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("at most 64");
  }

  @Test
  void lastAdminLeaving_makesTheFirstRemainingMemberInSortOrderTheAdmin() throws Exception {
    GroupState v1 = GroupRules.create(id, "team", "bob", List.of("carol", "alice")).newState();

    GroupChange leave = GroupRules.propose(v1, "bob", GroupOp.LEAVE, List.of("bob"));

    assertThat(leave.newState().members()).containsExactly("alice", "carol");
    assertThat(leave.newState().admins()).containsExactly("alice");
  }

  @Test
  void memberLeaving_keepsTheAdmin() throws Exception {
    GroupChange leave = GroupRules.propose(v1(), "bob", GroupOp.LEAVE, List.of("bob"));

    assertThat(leave.newState().members()).containsExactly("alice", "carol");
    assertThat(leave.newState().admins()).containsExactly("alice");
  }

  @Test
  void lastMemberLeaving_isRefused() throws Exception {
    GroupState v1 = v1();
    GroupState v2 = GroupRules.propose(v1, "bob", GroupOp.LEAVE, List.of("bob")).newState();
    GroupState v3 = GroupRules.propose(v2, "carol", GroupOp.LEAVE, List.of("carol")).newState();

    assertThatThrownBy(() -> GroupRules.propose(v3, "alice", GroupOp.LEAVE, List.of("alice")))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("last member");
  }

  @Test
  void check_acceptsExactlyTheProposedChange() throws Exception {
    GroupState v1 = v1();
    GroupChange add = GroupRules.propose(v1, "alice", GroupOp.ADD, List.of("dave"));

    GroupRules.check(v1, "alice", add);
  }

  @Test
  void check_stateThatIsNotOldPlusSubjects_isRefused() throws Exception {
    GroupState v1 = v1();
    GroupState smuggled =
        new GroupState(
            id,
            "team",
            2,
            v1.hash(),
            List.of("alice", "bob", "carol", "dave", "mallory"),
            List.of("alice"));
    GroupChange forged = new GroupChange(GroupOp.ADD, List.of("dave"), smuggled);

    assertThatThrownBy(() -> GroupRules.check(v1, "alice", forged))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("not what the rule gives");
  }

  @Test
  void check_memberMakingItselfAdmin_isRefused() throws Exception {
    GroupState v1 = v1();
    GroupState grab =
        new GroupState(id, "team", 2, v1.hash(), List.of("alice", "carol"), List.of("carol"));
    GroupChange forged = new GroupChange(GroupOp.LEAVE, List.of("bob"), grab);

    assertThatThrownBy(() -> GroupRules.check(v1, "bob", forged))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("not what the rule gives");
  }

  @Test
  void check_wrongPrevHashOrVersion_isRefused() throws Exception {
    GroupState v1 = v1();
    GroupChange add = GroupRules.propose(v1, "alice", GroupOp.ADD, List.of("dave"));
    GroupState badPrev =
        new GroupState(id, "team", 2, new byte[32], add.newState().members(), List.of("alice"));
    GroupState badVersion =
        new GroupState(id, "team", 3, v1.hash(), add.newState().members(), List.of("alice"));

    assertThatThrownBy(
            () ->
                GroupRules.check(
                    v1, "alice", new GroupChange(GroupOp.ADD, List.of("dave"), badPrev)))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("prev_hash");
    assertThatThrownBy(
            () ->
                GroupRules.check(
                    v1, "alice", new GroupChange(GroupOp.ADD, List.of("dave"), badVersion)))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("version 3, not 2");
  }

  @Test
  void check_renamingTheGroupInAChange_isRefused() throws Exception {
    GroupState v1 = v1();
    GroupChange add = GroupRules.propose(v1, "alice", GroupOp.ADD, List.of("dave"));
    GroupState renamed =
        new GroupState(id, "other", 2, v1.hash(), add.newState().members(), List.of("alice"));

    assertThatThrownBy(
            () ->
                GroupRules.check(
                    v1, "alice", new GroupChange(GroupOp.ADD, List.of("dave"), renamed)))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("not what the rule gives");
  }
}
