package dev.ztchat.attacks;

import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code removed-member} (docs/v2/groups.md): alice, bob and carol are in {@code #team}; alice
 * removes carol. A hostile relay, its operator helping carol, then forwards carol every group
 * envelope sent after the removal (alice's and bob's), the same envelopes re-addressed to name her,
 * and an envelope she did have an entry in, replayed as it was and re-addressed as a new message.
 * carol's client must open none of it, while bob still gets alice's messages and alice bob's.
 */
final class RemovedMemberAttack implements Attack {
  private static final String BEFORE = "before the removal: carol may read this";
  private static final String AFTER_ALICE = "after the removal, from alice: not for carol";
  private static final String AFTER_BOB = "after the removal, from bob: not for carol";

  @Override
  public String name() {
    return "removed-member";
  }

  @Override
  public String whatIsTried() {
    return "alice removes carol from #team; a hostile relay forwards carol every later group"
        + " envelope (as sent, and re-addressed to her) and replays one she had an entry in (as"
        + " it was, and re-addressed as a new message)";
  }

  @Override
  public String expectedDefence() {
    return "carol's client opens nothing sent after the removal (she has no entry in it; an"
        + " altered envelope fails its signature; a replay is refused); bob and alice still get"
        + " each other's messages";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    try (GroupStage g = GroupStage.start(target, List.of("alice", "bob", "carol"))) {
      InterceptingRelay.Sent before = g.sendsToGroup("alice", BEFORE);
      g.awaitGroupText("bob", "alice", BEFORE);
      g.awaitGroupText("carol", "alice", BEFORE); // the control: a member reads the group
      try {
        g.client("alice").removeFromGroup(GroupStage.GROUP, "carol");
      } catch (Exception e) {
        throw new CouldNotRunException("alice could not remove carol: " + e.getMessage());
      }
      g.awaitChange("bob", "removed carol");
      g.awaitChange("carol", "removed you");

      InterceptingRelay.Sent afterAlice = g.sendsToGroup("alice", AFTER_ALICE);
      g.awaitGroupText("bob", "alice", AFTER_ALICE);
      InterceptingRelay.Sent afterBob = g.sendsToGroup("bob", AFTER_BOB);
      g.awaitGroupText("alice", "bob", AFTER_BOB);
      if (afterAlice.prefix().recipients().contains("carol")
          || afterBob.prefix().recipients().contains("carol")) {
        return Verdict.broken(
            "a group message sent after the removal names carol among its recipients: "
                + afterAlice.prefix().recipients()
                + ", "
                + afterBob.prefix().recipients());
      }

      List<String> results = new ArrayList<>();
      results.add("alice's later message -> " + deliver(g, afterAlice.envelope(), afterAlice));
      results.add("bob's later message -> " + deliver(g, afterBob.envelope(), afterBob));
      results.add(
          "alice's later message re-addressed to carol -> "
              + deliver(g, readdressed(afterAlice.envelope(), false), afterAlice));
      results.add(
          "bob's later message re-addressed to carol -> "
              + deliver(g, readdressed(afterBob.envelope(), false), afterBob));
      results.add("the message she had an entry in, replayed -> " + deliver(g, before));
      results.add(
          "the message she had an entry in, re-addressed as a new message -> "
              + deliver(g, readdressed(before.envelope(), true), before));

      Set<String> secret = Set.of(AFTER_ALICE, AFTER_BOB);
      long opened =
          g.screen("carol").groupShownTexts().stream()
              .filter(s -> secret.contains(s.text()))
              .count();
      int otherShown = g.screen("carol").shownCount();
      String observed =
          String.join("; ", results)
              + "; later messages shown to carol: "
              + opened
              + "; other messages shown to carol: "
              + otherShown
              + "; bob got alice's later message and alice bob's: true";
      boolean anyShown = results.stream().anyMatch(r -> r.endsWith("SHOWN"));
      return opened == 0 && otherShown == 0 && !anyShown
          ? Verdict.held(observed)
          : Verdict.broken(observed);
    }
  }

  private static String deliver(GroupStage g, InterceptingRelay.Sent s) throws Exception {
    return g.deliver("carol", s.envelope(), s.binary());
  }

  private static String deliver(GroupStage g, byte[] envelope, InterceptingRelay.Sent like)
      throws Exception {
    return g.deliver("carol", envelope, like.binary());
  }

  /**
   * {@code envelope} with carol among its recipients (when she is not) and, when {@code fresh}, a
   * new message id and the time now, so that it is not the replay of anything; body and signature
   * unchanged.
   */
  private static byte[] readdressed(byte[] envelope, boolean fresh) throws Exception {
    V2Envelope e = V2Envelope.decode(envelope);
    RoutingPrefix p = e.prefix();
    List<String> recipients = new ArrayList<>(p.recipients());
    if (!recipients.contains("carol")) {
      recipients.add("carol");
    }
    RoutingPrefix altered =
        new RoutingPrefix(
            p.version(),
            p.sender(),
            recipients,
            fresh ? System.currentTimeMillis() : p.timestampMillis(),
            fresh ? Envelopes.random(16) : p.messageId());
    return new V2Envelope(altered, e.body(), e.signature()).encode();
  }
}
