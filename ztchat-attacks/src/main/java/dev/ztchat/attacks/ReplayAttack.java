package dev.ztchat.attacks;

import dev.ztchat.client.ChatClient;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.testkit.HostileRelay;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.Polling;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code replay}: a hostile relay captures a genuine envelope from alice to bob, lets it through,
 * then delivers it to bob again: at once, four minutes later (on bob's clock, inside the acceptance
 * window), and after bob's client restarted with the same state folder.
 */
final class ReplayAttack implements Attack {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Override
  public String name() {
    return "replay";
  }

  @Override
  public String whatIsTried() {
    return "a hostile relay re-delivers a captured alice->bob envelope: at once, 4 minutes later,"
        + " after bob restarts";
  }

  @Override
  public String expectedDefence() {
    return "bob's client drops every copy and reports a replay (persistent seen-message store)";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    MutableClock bobClock = MutableClock.followingSystem();
    Path bobState = target.newStateDir("bob");
    VictimScreen bobScreen = new VictimScreen();
    try (HostileRelay relay = HostileRelays.start(target);
        ChatClient alice =
            Victims.connect(
                target,
                "alice",
                "localhost",
                relay.port(),
                target.newStateDir("alice"),
                Clock.systemUTC(),
                new VictimScreen())) {
      ChatClient bob =
          Victims.connect(target, "bob", "localhost", relay.port(), bobState, bobClock, bobScreen);
      try {
        alice.send("bob", "replay me if you can");
        byte[] captured = HostileRelays.nextCaptured(relay, WAIT).envelope();
        OpenedMessage genuine = bobScreen.nextShown(WAIT);
        if (genuine == null) {
          throw new CouldNotRunException(
              "the genuine message did not reach bob through the hostile relay");
        }
        // Until bob's acknowledgement is confirmed, another copy is what a relay sends after a
        // lost acknowledgement, and bob absorbs it silently (never shown): replay right after.
        String id = HexFormat.of().formatHex(genuine.messageId());
        if (!Polling.eventually(WAIT, () -> relay.acknowledged("bob", "alice", id))) {
          throw new CouldNotRunException("bob never acknowledged the genuine message");
        }
        List<String> seen = new ArrayList<>();
        seen.add("at once: " + replay(relay, captured, bobScreen));

        bobClock.advance(Duration.ofMinutes(4));
        seen.add("4 min later: " + replay(relay, captured, bobScreen));

        bob.close();
        bob =
            Victims.connect(
                target, "bob", "localhost", relay.port(), bobState, bobClock, bobScreen);
        seen.add("after restart: " + replay(relay, captured, bobScreen));

        int shownAgain = bobScreen.shownCount();
        String observed =
            "genuine message shown once; replays -> "
                + String.join(", ", seen)
                + "; shown again: "
                + shownAgain;
        boolean allReplay = seen.stream().allMatch(s -> s.endsWith(RejectionReason.REPLAY.name()));
        return allReplay && shownAgain == 0 ? Verdict.held(observed) : Verdict.broken(observed);
      } finally {
        bob.close();
      }
    }
  }

  private static String replay(HostileRelay relay, byte[] envelope, VictimScreen screen)
      throws Exception {
    if (!awaitOnline(relay, "bob") || relay.inject("bob", envelope) == 0) {
      throw new CouldNotRunException("bob is not connected to the hostile relay");
    }
    VictimScreen.Rejection r = screen.nextRejection(WAIT);
    if (r != null) {
      return r.label();
    }
    return screen.nextShown(Duration.ofMillis(10)) != null ? "SHOWN AGAIN" : "nothing reported";
  }

  private static boolean awaitOnline(HostileRelay relay, String user) throws InterruptedException {
    return Polling.eventually(WAIT, () -> relay.isOpen(user));
  }
}
