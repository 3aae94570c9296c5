package dev.ztchat.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a member's client applies received changes (docs/v2/groups.md section 6). */
class GroupTimelineTest {
  private final GroupId id = GroupId.fromHex("00112233445566778899aabbccddeeff");

  private GroupChange create() throws Exception {
    return GroupRules.create(id, "team", "alice", List.of("bob", "carol"));
  }

  private static GroupChange next(GroupState s, String author, GroupOp op, String... subjects)
      throws Exception {
    return GroupRules.propose(s, author, op, List.of(subjects));
  }

  @Test
  void create_receivedByAMember_startsTheTimeline() throws Exception {
    GroupTimeline bob = GroupTimeline.start("bob", "alice", create());

    assertThat(bob.state()).isEqualTo(create().newState());
    assertThat(bob.removed()).isFalse();
    assertThat(bob.groupId()).isEqualTo(id);
  }

  @Test
  void createWithReceiverNotAMember_isRefused() {
    assertThatThrownBy(() -> GroupTimeline.start("dave", "alice", create()))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("dave, who is not a member");
  }

  @Test
  void createSentByAnotherThanItsAdmin_isRefused() {
    assertThatThrownBy(() -> GroupTimeline.start("carol", "bob", create()))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("only admin is its creator");
  }

  @Test
  void removeOrLeaveForAnUnknownGroup_isRefused() throws Exception {
    GroupChange leave = next(create().newState(), "bob", GroupOp.LEAVE, "bob");

    assertThatThrownBy(() -> GroupTimeline.start("carol", "bob", leave))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("does not know");
  }

  @Test
  void welcomeToAnAddedMember_adoptsTheStateAsTheAdminStatesIt() throws Exception {
    GroupChange add = next(create().newState(), "alice", GroupOp.ADD, "dave");

    GroupTimeline dave = GroupTimeline.start("dave", "alice", add);

    assertThat(dave.state()).isEqualTo(add.newState());
    assertThat(dave.state().version()).isEqualTo(2);
  }

  @Test
  void welcomeFromANonAdmin_isRefused() throws Exception {
    GroupState v1 = create().newState();
    GroupChange add = next(v1, "alice", GroupOp.ADD, "dave");

    assertThatThrownBy(() -> GroupTimeline.start("dave", "bob", add))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("without being one of its admins");
  }

  @Test
  void welcomeThatDoesNotAddTheReceiver_isRefused() throws Exception {
    GroupChange add = next(create().newState(), "alice", GroupOp.ADD, "dave");

    assertThatThrownBy(() -> GroupTimeline.start("erin", "alice", add))
        .isInstanceOf(GroupChangeRefusedException.class)
        .hasMessageContaining("does not add erin");
  }

  @Test
  void chainedChange_isApplied() throws Exception {
    GroupTimeline bob = GroupTimeline.start("bob", "alice", create());
    GroupChange add = next(bob.state(), "alice", GroupOp.ADD, "dave");

    ApplyOutcome o = bob.apply("alice", add);

    assertThat(o).isInstanceOf(ApplyOutcome.Applied.class);
    assertThat(((ApplyOutcome.Applied) o).applied())
        .containsExactly(new AuthoredChange("alice", add));
    assertThat(bob.state()).isEqualTo(add.newState());
  }

  @Test
  void sameChangeTwice_isADuplicate() throws Exception {
    GroupTimeline bob = GroupTimeline.start("bob", "alice", create());
    GroupChange add = next(bob.state(), "alice", GroupOp.ADD, "dave");
    bob.apply("alice", add);

    assertThat(bob.apply("alice", add)).isInstanceOf(ApplyOutcome.Duplicate.class);
    assertThat(bob.apply("alice", create())).isInstanceOf(ApplyOutcome.Duplicate.class);
    assertThat(bob.state()).isEqualTo(add.newState());
  }

  @Test
  void nonAdminAddAtTheReceiver_isRefused_andTheStateUnchanged() throws Exception {
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create());
    GroupState before = carol.state();
    // bob claims alice's add as his own: the author is the envelope's sender, not a field.
    GroupChange add = next(before, "alice", GroupOp.ADD, "mallory");

    ApplyOutcome o = carol.apply("bob", add);

    assertThat(o)
        .isInstanceOfSatisfying(
            ApplyOutcome.Refused.class,
            r -> assertThat(r.reason()).contains("bob is not an admin of #team"));
    assertThat(carol.state()).isEqualTo(before);
  }

  @Test
  void leaveByNonSubjectAtTheReceiver_isRefused() throws Exception {
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create());
    GroupChange bobLeaves = next(carol.state(), "bob", GroupOp.LEAVE, "bob");

    ApplyOutcome o = carol.apply("alice", bobLeaves);

    assertThat(o)
        .isInstanceOfSatisfying(
            ApplyOutcome.Refused.class, r -> assertThat(r.reason()).contains("can only leave"));
    assertThat(carol.state().isMember("bob")).isTrue();
  }

  @Test
  void changeForAnotherGroup_isRefused() throws Exception {
    GroupTimeline bob = GroupTimeline.start("bob", "alice", create());
    GroupChange other =
        GroupRules.create(
            GroupId.fromHex("ffeeddccbbaa99887766554433221100"), "team", "alice", List.of("bob"));

    assertThat(bob.apply("alice", other)).isInstanceOf(ApplyOutcome.Refused.class);
  }

  @Test
  void outOfOrderChange_isKeptPending_thenAppliedWhenTheChainConnects() throws Exception {
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create());
    GroupChange v2 = next(carol.state(), "alice", GroupOp.ADD, "dave");
    GroupChange v3 = next(v2.newState(), "bob", GroupOp.LEAVE, "bob");

    ApplyOutcome early = carol.apply("bob", v3);

    assertThat(early).isEqualTo(new ApplyOutcome.Pending(1, java.util.Optional.empty()));
    assertThat(carol.state().version()).isEqualTo(1);

    ApplyOutcome connected = carol.apply("alice", v2);

    assertThat(connected)
        .isInstanceOfSatisfying(
            ApplyOutcome.Applied.class,
            a ->
                assertThat(a.applied())
                    .containsExactly(
                        new AuthoredChange("alice", v2), new AuthoredChange("bob", v3)));
    assertThat(carol.state()).isEqualTo(v3.newState());
    assertThat(carol.pending()).isEmpty();
  }

  @Test
  void pendingChangeThatBreaksTheRule_isDroppedWhenItsTurnComes() throws Exception {
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create());
    GroupChange v2 = next(carol.state(), "alice", GroupOp.ADD, "dave");
    GroupChange v3 = next(v2.newState(), "alice", GroupOp.ADD, "erin");
    carol.apply("bob", v3); // bob is no admin: pending now, refused once it chains

    ApplyOutcome o = carol.apply("alice", v2);

    assertThat(o)
        .isInstanceOfSatisfying(
            ApplyOutcome.Applied.class, a -> assertThat(a.applied()).hasSize(1));
    assertThat(carol.state()).isEqualTo(v2.newState());
    assertThat(carol.pending()).isEmpty();
  }

  @Test
  void seventeenthPending_dropsTheOldest() throws Exception {
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create());
    List<GroupChange> chain = new ArrayList<>();
    GroupState s = carol.state();
    for (int i = 0; i < 18; i++) {
      GroupChange c = next(s, "alice", GroupOp.ADD, "u" + i);
      chain.add(c);
      s = c.newState();
    }
    for (int i = 1; i <= 16; i++) {
      assertThat(carol.apply("alice", chain.get(i)))
          .isEqualTo(new ApplyOutcome.Pending(i, java.util.Optional.empty()));
    }

    ApplyOutcome o = carol.apply("alice", chain.get(17));

    assertThat(o)
        .isEqualTo(
            new ApplyOutcome.Pending(
                16, java.util.Optional.of(new AuthoredChange("alice", chain.get(1)))));
    assertThat(carol.pending()).hasSize(GroupTimeline.MAX_PENDING);
    // the first link arrives: nothing after it chains, as its successor was dropped
    assertThat(carol.apply("alice", chain.get(0)))
        .isInstanceOfSatisfying(
            ApplyOutcome.Applied.class, a -> assertThat(a.applied()).hasSize(1));
    assertThat(carol.state().version()).isEqualTo(2);
  }

  @Test
  void samePendingChangeTwice_isADuplicate() throws Exception {
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create());
    GroupChange v2 = next(carol.state(), "alice", GroupOp.ADD, "dave");
    GroupChange v3 = next(v2.newState(), "alice", GroupOp.ADD, "erin");
    carol.apply("alice", v3);

    assertThat(carol.apply("alice", v3)).isInstanceOf(ApplyOutcome.Duplicate.class);
    assertThat(carol.pending()).hasSize(1);
  }

  @Test
  void concurrentChanges_convergeToTheSameStateAtTwoTimelinesFedInOppositeOrders()
      throws Exception {
    GroupChange create = create();
    GroupChange addDave = next(create.newState(), "alice", GroupOp.ADD, "dave");
    GroupChange bobLeaves = next(create.newState(), "bob", GroupOp.LEAVE, "bob");
    GroupTimeline one = GroupTimeline.start("carol", "alice", create);
    GroupTimeline two = GroupTimeline.start("carol", "alice", create);

    ApplyOutcome a1 = one.apply("alice", addDave);
    ApplyOutcome a2 = one.apply("bob", bobLeaves);
    ApplyOutcome b1 = two.apply("bob", bobLeaves);
    ApplyOutcome b2 = two.apply("alice", addDave);

    assertThat(one.state()).isEqualTo(two.state());
    GroupChange winner =
        Arrays.compareUnsigned(addDave.newState().hash(), bobLeaves.newState().hash()) < 0
            ? addDave
            : bobLeaves;
    assertThat(one.state()).isEqualTo(winner.newState());
    assertThat(List.of(a1, b1)).allMatch(ApplyOutcome.Applied.class::isInstance);
    // exactly one of the late arrivals replaces its timeline's state; the other loses
    assertThat(List.of(a2, b2))
        .anyMatch(ApplyOutcome.Replaced.class::isInstance)
        .anyMatch(
            o -> o instanceof ApplyOutcome.Refused r && r.reason().contains("lower hash wins"));
  }

  @Test
  void concurrentWinnerArrivingAfterALaterVersion_undoesTheLosingBranch() throws Exception {
    GroupChange create = create();
    GroupChange x = next(create.newState(), "alice", GroupOp.ADD, "dave");
    GroupChange y = next(create.newState(), "alice", GroupOp.ADD, "erin");
    boolean xLow = Arrays.compareUnsigned(x.newState().hash(), y.newState().hash()) < 0;
    GroupChange low = xLow ? x : y;
    GroupChange high = xLow ? y : x;
    GroupChange onHigh = next(high.newState(), "carol", GroupOp.LEAVE, "carol");
    GroupTimeline bob = GroupTimeline.start("bob", "alice", create);
    bob.apply("alice", high);
    bob.apply("carol", onHigh);

    ApplyOutcome o = bob.apply("alice", low);

    assertThat(o)
        .isInstanceOfSatisfying(
            ApplyOutcome.Replaced.class,
            r -> assertThat(r.undone()).containsExactly(high.newState(), onHigh.newState()));
    assertThat(bob.state()).isEqualTo(low.newState());
  }

  @Test
  void changeFollowingAConcurrentWinner_waitsPending_andConnectsAfterTheReplacement()
      throws Exception {
    GroupChange create = create();
    GroupChange x = next(create.newState(), "alice", GroupOp.ADD, "dave");
    GroupChange y = next(create.newState(), "bob", GroupOp.LEAVE, "bob");
    boolean xLow = Arrays.compareUnsigned(x.newState().hash(), y.newState().hash()) < 0;
    GroupChange low = xLow ? x : y;
    GroupChange high = xLow ? y : x;
    String lowAuthor = xLow ? "alice" : "bob";
    String highAuthor = xLow ? "bob" : "alice";
    GroupChange onLow = next(low.newState(), "carol", GroupOp.LEAVE, "carol");
    GroupTimeline erin = GroupTimeline.start("alice", "alice", create);
    erin.apply(highAuthor, high);

    assertThat(erin.apply("carol", onLow)).isInstanceOf(ApplyOutcome.Pending.class);
    ApplyOutcome o = erin.apply(lowAuthor, low);

    assertThat(o)
        .isInstanceOfSatisfying(
            ApplyOutcome.Replaced.class,
            r ->
                assertThat(r.applied())
                    .containsExactly(
                        new AuthoredChange(lowAuthor, low), new AuthoredChange("carol", onLow)));
    assertThat(erin.state()).isEqualTo(onLow.newState());
  }

  @Test
  void concurrentChangeThatBreaksTheRule_isRefusedEvenWithALowerHash() throws Exception {
    GroupChange create = create();
    GroupChange x = next(create.newState(), "alice", GroupOp.ADD, "dave");
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create);
    carol.apply("alice", x);
    GroupChange y = next(create.newState(), "alice", GroupOp.ADD, "erin");

    ApplyOutcome o = carol.apply("bob", y);

    assertThat(o)
        .isInstanceOfSatisfying(
            ApplyOutcome.Refused.class, r -> assertThat(r.reason()).contains("not an admin"));
    assertThat(carol.state()).isEqualTo(x.newState());
  }

  @Test
  void removedMember_learnsItsRemoval_andIgnoresLaterChanges() throws Exception {
    GroupTimeline bob = GroupTimeline.start("bob", "alice", create());
    GroupChange remove = next(bob.state(), "alice", GroupOp.REMOVE, "bob");

    assertThat(bob.apply("alice", remove)).isInstanceOf(ApplyOutcome.Applied.class);
    assertThat(bob.removed()).isTrue();
    GroupChange later = next(remove.newState(), "alice", GroupOp.ADD, "dave");
    assertThat(bob.apply("alice", later))
        .isInstanceOfSatisfying(
            ApplyOutcome.Refused.class, r -> assertThat(r.reason()).contains("no longer a member"));
  }

  @Test
  void removedMemberAddedAgain_isWelcomed() throws Exception {
    GroupTimeline bob = GroupTimeline.start("bob", "alice", create());
    GroupChange remove = next(bob.state(), "alice", GroupOp.REMOVE, "bob");
    bob.apply("alice", remove);
    GroupChange v3 = next(remove.newState(), "alice", GroupOp.ADD, "dave");
    GroupChange back = next(v3.newState(), "alice", GroupOp.ADD, "bob");

    ApplyOutcome o = bob.apply("alice", back);

    assertThat(o).isEqualTo(new ApplyOutcome.Welcome(back.newState()));
    assertThat(bob.removed()).isFalse();
  }

  @Test
  void leavingMember_isRemovedAfterItsOwnLeave() throws Exception {
    GroupTimeline bob = GroupTimeline.start("bob", "alice", create());
    GroupChange leave = next(bob.state(), "bob", GroupOp.LEAVE, "bob");

    assertThat(bob.apply("bob", leave)).isInstanceOf(ApplyOutcome.Applied.class);
    assertThat(bob.removed()).isTrue();
  }

  @Test
  void adminSuccession_whenTheLastAdminLeaves_isAppliedAtEveryMember() throws Exception {
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create());
    GroupChange leave = next(carol.state(), "alice", GroupOp.LEAVE, "alice");
    carol.apply("alice", leave);

    assertThat(carol.state().admins()).containsExactly("bob");
    GroupChange add = next(carol.state(), "bob", GroupOp.ADD, "dave");
    assertThat(carol.apply("bob", add)).isInstanceOf(ApplyOutcome.Applied.class);
  }

  @Test
  void encode_roundTripsStateHistoryAndPending() throws Exception {
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create());
    GroupChange v2 = next(carol.state(), "alice", GroupOp.ADD, "dave");
    GroupChange v3 = next(v2.newState(), "alice", GroupOp.ADD, "erin");
    GroupChange v4 = next(v3.newState(), "bob", GroupOp.LEAVE, "bob");
    carol.apply("alice", v2);
    carol.apply("bob", v4);

    GroupTimeline back = GroupTimeline.decode(carol.encode());

    assertThat(back.encode()).isEqualTo(carol.encode());
    assertThat(back.me()).isEqualTo("carol");
    assertThat(back.state()).isEqualTo(v2.newState());
    assertThat(back.pending()).containsExactly(new AuthoredChange("bob", v4));
    assertThat(back.apply("alice", v3))
        .isInstanceOfSatisfying(
            ApplyOutcome.Applied.class, a -> assertThat(a.applied()).hasSize(2));
  }

  @Test
  void decode_truncatedOrTrailing_isMalformed() throws Exception {
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create());
    carol.apply("alice", next(carol.state(), "alice", GroupOp.ADD, "dave"));
    byte[] full = carol.encode();

    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> GroupTimeline.decode(cut))
          .isInstanceOf(MalformedGroupException.class);
    }
    assertThatThrownBy(() -> GroupTimeline.decode(Arrays.copyOf(full, full.length + 1)))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void decode_statesThatDoNotChain_isMalformed() throws Exception {
    GroupState v1 = create().newState();
    GroupState stray =
        new GroupState(id, "team", 2, new byte[32], List.of("alice", "carol"), List.of("alice"));
    GroupBytes.Out out = new GroupBytes.Out().u8(1).name("carol").u8(2);
    out.block(v1.encode()).block(stray.encode()).u8(0);

    assertThatThrownBy(() -> GroupTimeline.decode(out.bytes()))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("do not chain");
  }
}
