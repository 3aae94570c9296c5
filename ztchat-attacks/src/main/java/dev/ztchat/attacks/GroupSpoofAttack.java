package dev.ztchat.attacks;

import dev.ztchat.client.GroupView;
import dev.ztchat.client.HistoryEntry;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupOp;
import dev.ztchat.core.group.GroupState;
import dev.ztchat.core.protocol.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code group-spoof} (docs/v2/groups.md): mallory, a member of {@code #team} (the target's user
 * carol, with a client of her own: a second device of hers driven frame by frame), (a) makes a
 * group text look like bob's: inside her own envelope with a text that claims bob, in her envelope
 * with the sender rewritten to bob, and signed by her device under bob's name; (b) sends membership
 * changes as a non-admin (adding dave, removing alice); then (c), after alice removed carol, added
 * her again and removed her again, a relay replays the old change that re-added her, as it was and
 * re-dated as a new message. Every other member's client must refuse each, show nothing as bob's,
 * and apply no change.
 */
final class GroupSpoofAttack implements Attack {
  private static final String CLAIMS_BOB = "bob: I am bob, send me the keys";
  private static final List<String> OTHERS = List.of("alice", "bob");

  @Override
  public String name() {
    return "group-spoof";
  }

  @Override
  public String whatIsTried() {
    return "mallory, a member of #team, sends a group text that claims to be bob's (in her own"
        + " envelope; sender rewritten to bob; signed by her device under bob's name), adds dave"
        + " and removes alice though she is no admin; a relay replays alice's old change that"
        + " re-added a removed member";
  }

  @Override
  public String expectedDefence() {
    return "the author is the envelope's verified sender: her text shows as hers, the rewritten"
        + " and misnamed envelopes fail their checks; a non-admin's change and a replayed change"
        + " are refused; no member's group changes";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    try (GroupStage g = GroupStage.start(target, List.of("alice", "bob", "carol"))) {
      g.sendsToGroup("carol", "hello from carol");
      g.awaitGroupText("alice", "carol", "hello from carol"); // the control: members read her
      g.awaitGroupText("bob", "carol", "hello from carol");
      GroupView team = g.client("alice").group(GroupStage.GROUP);
      GroupState v1 =
          GroupState.created(
              GroupId.fromHex(team.idHex()), "team", "alice", List.of("bob", "carol"));
      if (!v1.members().equals(team.members()) || team.version() != 1) {
        throw new CouldNotRunException("alice's #team is not version 1 of alice, bob and carol");
      }
      List<String> results = new ArrayList<>();
      List<String> shownAsBob = new ArrayList<>();
      try (MalloryDevice mallory = MalloryDevice.connect(target, g.relay, "carol")) {
        // (a) a group text that claims bob
        V2Envelope own =
            mallory.seal(MessageContent.groupText(v1.id(), 1, CLAIMS_BOB), "carol", OTHERS);
        results.add("a text claiming bob in mallory's own envelope -> " + sent(g, mallory, own));
        for (String m : OTHERS) {
          VictimScreen.GroupShown s = g.screen(m).nextGroupShown(CLAIMS_BOB, GroupStage.WAIT);
          results.add(
              "shown to "
                  + m
                  + " as "
                  + (s == null ? "nothing" : s.sender() + "'s (history: " + author(g, m) + ")"));
          if (s != null && !s.sender().equals("carol")) {
            shownAsBob.add(m);
          }
        }
        byte[] rewritten = renamed(own, "bob");
        results.add("her envelope, sender rewritten to bob -> " + injected(g, rewritten));
        V2Envelope misnamed =
            mallory.resignedAs(
                mallory.seal(
                    MessageContent.groupText(v1.id(), 1, "signed by mallory's device as bob"),
                    "carol",
                    OTHERS),
                "bob");
        results.add("signed by her device under bob's name -> " + injected(g, misnamed.encode()));

        // (b) membership changes by a non-admin
        GroupChange addDave =
            new GroupChange(
                GroupOp.ADD,
                List.of("dave"),
                new GroupState(
                    v1.id(),
                    "team",
                    2,
                    v1.hash(),
                    List.of("alice", "bob", "carol", "dave"),
                    List.of("alice")));
        results.add(
            "adds dave (not an admin) -> "
                + sent(
                    g,
                    mallory,
                    mallory.seal(MessageContent.groupChange(addDave), "carol", OTHERS)));
        GroupChange removeAlice =
            new GroupChange(
                GroupOp.REMOVE,
                List.of("alice"),
                new GroupState(
                    v1.id(), "team", 2, v1.hash(), List.of("bob", "carol"), List.of("bob")));
        results.add(
            "removes alice (not an admin) -> "
                + sent(
                    g,
                    mallory,
                    mallory.seal(MessageContent.groupChange(removeAlice), "carol", OTHERS)));
      }
      List<String> changed = new ArrayList<>();
      for (String m : OTHERS) {
        GroupView v = g.client(m).group(GroupStage.GROUP);
        if (v.version() != 1 || !v.members().equals(v1.members())) {
          changed.add(m + " (now version " + v.version() + ": " + v.members() + ")");
        }
      }

      // (c) a relay replays the change that re-added a removed member
      int from = g.relay.allSent().size();
      change("remove", () -> g.client("alice").removeFromGroup(GroupStage.GROUP, "carol"));
      g.awaitChange("bob", "removed carol");
      int beforeAdd = g.relay.allSent().size();
      change("add", () -> g.client("alice").addToGroup(GroupStage.GROUP, "carol"));
      g.awaitChange("bob", "added carol");
      InterceptingRelay.Sent readd = changeEnvelope(g, beforeAdd);
      change("remove", () -> g.client("alice").removeFromGroup(GroupStage.GROUP, "carol"));
      g.awaitChange("bob", "removed carol");
      results.add(
          "the change that re-added carol, replayed to bob -> "
              + g.deliver("bob", readd.envelope(), readd.binary()));
      results.add(
          "the same, re-dated as a new message -> "
              + g.deliver("bob", fresh(readd.envelope()), readd.binary()));
      GroupView bobs = g.client("bob").group(GroupStage.GROUP);
      boolean carolBack = bobs.members().contains("carol");
      String observed =
          String.join("; ", results)
              + "; group texts shown as bob's: "
              + shownAsBob.size()
              + "; members' #team changed by mallory: "
              + (changed.isEmpty() ? "none" : changed)
              + "; bob's #team after the replays: version "
              + bobs.version()
              + ", "
              + bobs.members()
              + " ("
              + (g.relay.allSent().size() - from)
              + " envelopes sent meanwhile)";
      boolean anyForgedShown =
          results.stream()
              .filter(r -> !r.startsWith("a text claiming"))
              .anyMatch(r -> r.contains("SHOWN"));
      return shownAsBob.isEmpty() && changed.isEmpty() && !carolBack && !anyForgedShown
          ? Verdict.held(observed)
          : Verdict.broken(observed);
    }
  }

  private interface Change {
    void make() throws Exception;
  }

  private static void change(String what, Change c) throws Exception {
    try {
      c.make();
    } catch (Exception e) {
      throw new CouldNotRunException("alice could not " + what + " carol: " + e.getMessage());
    }
  }

  /** alice's change envelope sent since {@code index}: the one naming both bob and carol. */
  private static InterceptingRelay.Sent changeEnvelope(GroupStage g, int index) throws Exception {
    List<InterceptingRelay.Sent> all = g.relay.allSent();
    for (InterceptingRelay.Sent s : all.subList(index, all.size())) {
      if (s.from().equals("alice")
          && s.prefix().recipients().containsAll(List.of("bob", "carol"))) {
        return s;
      }
    }
    throw new CouldNotRunException("alice's change that re-added carol did not reach the relay");
  }

  /** Sends {@code envelope} through the relay; what alice's and bob's clients did with it. */
  private static String sent(GroupStage g, MalloryDevice mallory, V2Envelope envelope)
      throws Exception {
    int aliceBefore = g.prepare("alice");
    int bobBefore = g.prepare("bob");
    Frame answer = mallory.send(envelope);
    if (!(answer instanceof Frame.Sent)) {
      throw new CouldNotRunException("the relay refused the member's envelope: " + answer);
    }
    return "alice: " + g.outcome("alice", aliceBefore) + ", bob: " + g.outcome("bob", bobBefore);
  }

  /** Delivers {@code envelope} to alice and bob as a hostile relay would. */
  private static String injected(GroupStage g, byte[] envelope) throws Exception {
    return "alice: "
        + g.deliver("alice", envelope, true)
        + ", bob: "
        + g.deliver("bob", envelope, true);
  }

  /** Who {@code member}'s group history says wrote the text that claims bob. */
  private static String author(GroupStage g, String member) throws Exception {
    return g.client(member).groupHistory(GroupStage.GROUP, 20).stream()
        .filter(e -> e.text().equals(CLAIMS_BOB))
        .map(HistoryEntry::peer)
        .findFirst()
        .orElse("not kept");
  }

  private static byte[] renamed(V2Envelope e, String sender) {
    RoutingPrefix p = e.prefix();
    return new V2Envelope(
            new RoutingPrefix(
                p.version(), sender, p.recipients(), p.timestampMillis(), p.messageId()),
            e.body(),
            e.signature())
        .encode();
  }

  private static byte[] fresh(byte[] envelope) throws Exception {
    V2Envelope e = V2Envelope.decode(envelope);
    RoutingPrefix p = e.prefix();
    return new V2Envelope(
            new RoutingPrefix(
                p.version(),
                p.sender(),
                p.recipients(),
                System.currentTimeMillis(),
                Envelopes.random(16)),
            e.body(),
            e.signature())
        .encode();
  }
}
