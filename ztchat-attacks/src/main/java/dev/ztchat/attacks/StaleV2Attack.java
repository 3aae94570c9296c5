package dev.ztchat.attacks;

import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.Polling;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The version-2 variant of {@code stale}: alice's own version-2 client, on a session with bob,
 * seals messages while its clock is set before the acceptance window or past the allowed skew (her
 * real device key and session state: what an insider holding her device could send).
 */
final class StaleV2Attack implements Attack {
  private static final List<Duration> SKEWS =
      List.of(
          AcceptancePolicy.DEFAULT.window().plusMinutes(5).negated(),
          AcceptancePolicy.DEFAULT.window().plusDays(1).negated(),
          AcceptancePolicy.DEFAULT.maxFutureSkew().plusMinutes(5),
          AcceptancePolicy.DEFAULT.maxFutureSkew().plusDays(1));

  @Override
  public String name() {
    return "stale";
  }

  @Override
  public String whatIsTried() {
    return "alice's version-2 client, its clock skewed by " + SKEWS + ", sends bob messages";
  }

  @Override
  public String expectedDefence() {
    return "the relay refuses those past the window as expired; bob's client drops the rest as"
        + " STALE or FROM_THE_FUTURE and shows nothing";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    MutableClock aliceClock = MutableClock.followingSystem();
    try (V2Pair pair = V2Pair.start(target, aliceClock, Clock.systemUTC())) {
      pair.aliceSends("dated now");
      pair.bobShown("dated now");
      pair.bobSends("reply dated now");
      pair.aliceShown("reply dated now");
      List<String> seen = new ArrayList<>();
      for (Duration skew : SKEWS) {
        pair.bobScreen.clearNotices();
        aliceClock.advance(skew);
        String outcome;
        try {
          pair.alice.send("bob", "dated " + skew);
          outcome = bobsVerdict(pair);
        } catch (IOException | UntrustedContactException refused) {
          // in the past, alice's own client finds the certificates not yet valid and seals
          // nothing; the relay would refuse such an envelope as expired anyway (the v1 variant)
          outcome = "not sent (" + refused.getMessage() + ")";
        } finally {
          aliceClock.advance(skew.negated());
        }
        seen.add(skew + " -> " + outcome);
      }
      pair.aliceSends("dated now again");
      pair.bobShown("dated now again");
      int extra = pair.bobScreen.shownCount();
      String observed =
          String.join(", ", seen) + "; control dated now shown; other messages shown: " + extra;
      boolean held =
          extra == 0
              && stopped(seen.get(0))
              && stopped(seen.get(1))
              && seen.get(2).endsWith(RejectionReason.FROM_THE_FUTURE.name())
              && seen.get(3).endsWith(RejectionReason.FROM_THE_FUTURE.name());
      return held ? Verdict.held(observed) : Verdict.broken(observed);
    }
  }

  private static boolean stopped(String seen) {
    return seen.endsWith(RejectionReason.STALE.name()) || seen.contains("not sent");
  }

  private static String bobsVerdict(V2Pair pair) throws Exception {
    if (!Polling.eventually(V2Outcomes.QUIET, pair.bobScreen::anythingPending)) {
      return "nothing reported";
    }
    VictimScreen.Rejection r = pair.bobScreen.nextRejection(Duration.ZERO);
    if (r != null) {
      return r.label();
    }
    return pair.bobScreen.shownCount() > 0 ? "SHOWN" : "notice only";
  }
}
