package dev.ztchat.attacks;

import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.Polling;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code drop}: a hostile relay silently drops one message of an alice->bob version-2 conversation
 * (docs/v2/conversation-ledger.md); the next message that gets through must make bob's client tell
 * him one is missing.
 */
final class DropAttack implements Attack {
  @Override
  public String name() {
    return "drop";
  }

  @Override
  public String whatIsTried() {
    return "a hostile relay drops message 2 of 3 of an alice->bob version-2 conversation, lets"
        + " message 3 through and tells alice it delivered all";
  }

  @Override
  public String expectedDefence() {
    return "bob's client reports the gap when message 3 arrives (conversation ledger), naming"
        + " alice";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    try (V2Pair pair = V2Pair.start(target, Clock.systemUTC(), MutableClock.followingSystem())) {
      pair.aliceSends("drop test 1");
      pair.bobShown("drop test 1");
      AtomicBoolean dropNext = new AtomicBoolean(true);
      pair.relay.filterDeliveries(
          d ->
              !(d.to().equals("bob")
                  && d.prefix().sender().equals("alice")
                  && dropNext.compareAndSet(true, false)));
      pair.aliceSends("drop test 2");
      if (!Polling.eventually(V2Pair.WAIT, () -> !dropNext.get())) {
        throw new CouldNotRunException("the real relay did not deliver message 2 to drop");
      }
      pair.aliceSends("drop test 3");
      pair.bobShown("drop test 3");
      String notice = pair.bobScreen.nextNotice("alice", V2Pair.WAIT);
      String observed =
          "message 2 dropped by the relay, message 3 shown to bob; bob was told: "
              + (notice == null ? "nothing" : "\"" + notice + "\"");
      return notice != null && notice.contains("from alice")
          ? Verdict.held(observed)
          : Verdict.broken(observed);
    }
  }
}
