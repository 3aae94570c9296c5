package dev.ztchat.attacks;

import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.Polling;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The version-2 variant of {@code replay}: a hostile relay re-delivers one of alice's version-2
 * envelopes to bob's version-2 client at once, four minutes later on bob's clock, and after bob's
 * client restarted with the same state folder.
 */
final class ReplayV2Attack implements Attack {
  @Override
  public String name() {
    return "replay";
  }

  @Override
  public String whatIsTried() {
    return "a hostile relay re-delivers a captured alice->bob version-2 envelope: at once, 4"
        + " minutes later, after bob restarts";
  }

  @Override
  public String expectedDefence() {
    return "bob's client drops every copy as REPLAY (persistent seen-message store, ratchet)";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    MutableClock bobClock = MutableClock.followingSystem();
    try (V2Pair pair = V2Pair.start(target, Clock.systemUTC(), bobClock)) {
      InterceptingRelay.Sent captured = pair.aliceSends("replay me if you can");
      OpenedMessage genuine = pair.bobShown("replay me if you can");
      String id = HexFormat.of().formatHex(genuine.messageId());
      if (!Polling.eventually(V2Pair.WAIT, () -> pair.relay.acknowledged("bob", "alice", id))) {
        throw new CouldNotRunException("bob never acknowledged the genuine message");
      }
      List<String> seen = new ArrayList<>();
      seen.add("at once: " + V2Outcomes.deliver(pair, captured));
      bobClock.advance(Duration.ofMinutes(4));
      seen.add("4 min later: " + V2Outcomes.deliver(pair, captured));
      pair.closeBob();
      pair.bob = pair.connectBob();
      if (!Polling.eventually(V2Pair.WAIT, () -> pair.relay.isOpen("bob"))) {
        throw new CouldNotRunException("bob's restarted client did not connect");
      }
      seen.add("after restart: " + V2Outcomes.deliver(pair, captured));
      int shownAgain = pair.bobScreen.shownCount();
      String observed =
          "genuine version-2 message shown once; replays -> "
              + String.join(", ", seen)
              + "; shown again: "
              + shownAgain;
      boolean allReplay = seen.stream().allMatch(s -> s.endsWith(RejectionReason.REPLAY.name()));
      return allReplay && shownAgain == 0 ? Verdict.held(observed) : Verdict.broken(observed);
    }
  }
}
