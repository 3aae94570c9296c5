package dev.ztchat.attacks;

import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.testkit.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The version-2 variant of {@code tamper}: a hostile relay holds back one of alice's version-2
 * envelopes (on an established session) and delivers it to bob once for each of its bytes, that
 * byte inverted; the genuine envelope, delivered last, must still open.
 */
final class TamperV2Attack implements Attack {
  private static final long PACE_MILLIS = 50;
  private static final Duration CONTROL_WAIT = Duration.ofSeconds(30);

  @Override
  public String name() {
    return "tamper";
  }

  @Override
  public String whatIsTried() {
    return "a hostile relay delivers one alice->bob version-2 envelope once per byte, that byte"
        + " inverted (prefix, body, signature: every byte), then the genuine one";
  }

  @Override
  public String expectedDefence() {
    return "bob's client refuses every altered copy and shows nothing altered; the genuine"
        + " envelope still opens afterwards";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    try (V2Pair pair = V2Pair.start(target, Clock.systemUTC(), MutableClock.followingSystem())) {
      pair.aliceSends("session set up");
      pair.bobShown("session set up");
      pair.bobSends("session confirmed");
      pair.aliceShown("session confirmed");
      pair.relay.holdDeliveriesTo("bob");
      InterceptingRelay.Sent genuine = pair.aliceSends("the original text");
      byte[] bytes = genuine.envelope();
      Map<String, Integer> outcomes = new TreeMap<>();
      List<Integer> notRefused = new ArrayList<>();
      for (int i = 0; i < bytes.length; i++) {
        // bob acknowledges each refused copy to the real relay: stay under its rate limit (20/s)
        // so that it does not disconnect him halfway.
        Thread.sleep(PACE_MILLIS);
        byte[] altered = bytes.clone();
        altered[i] = (byte) ~altered[i];
        String outcome = V2Outcomes.deliver(pair, altered, genuine.binary());
        outcomes.merge(outcome, 1, Integer::sum);
        if (outcome.equals("SHOWN") || outcome.equals("nothing reported")) {
          notRefused.add(i);
        }
      }
      int shownAltered = pair.bobScreen.shownCount();
      String control = V2Outcomes.deliver(pair, bytes, genuine.binary());
      OpenedMessage shown =
          control.equals("SHOWN") || control.equals("nothing reported")
              ? pair.bobScreen.nextShown(CONTROL_WAIT) // a loaded machine may take longer
              : null;
      boolean controlShown =
          shownAltered == 0 && shown != null && shown.text().equals("the original text");
      String observed =
          bytes.length
              + " altered copies (each byte inverted in turn) -> "
              + outcomes
              + "; altered messages shown: "
              + shownAltered
              + "; the genuine envelope delivered last: "
              + (controlShown ? "shown" : "NOT shown (" + control + ")");
      // A genuine envelope that no longer opens means an altered copy spoiled bob's session.
      return notRefused.isEmpty() && shownAltered == 0 && controlShown
          ? Verdict.held(observed)
          : Verdict.broken("not refused at byte offsets " + notRefused + "; " + observed);
    }
  }
}
