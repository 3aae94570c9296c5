package dev.ztchat.attacks;

import dev.ztchat.core.testkit.Polling;
import java.time.Duration;

/** What bob's screen showed after the relay delivered him one envelope. */
final class V2Outcomes {
  static final Duration QUIET = Duration.ofSeconds(10);

  private V2Outcomes() {}

  /** Delivers {@code s}'s envelope to bob as it was sent; returns what bob's client did. */
  static String deliver(V2Pair pair, InterceptingRelay.Sent s) throws Exception {
    return deliver(pair, s.envelope(), s.binary());
  }

  /**
   * Delivers {@code envelope} to bob; returns {@code SHOWN} (the message is left on the screen for
   * the caller to count), the rejection reason, {@code KEPT_UNOPENED} (a notice, not acknowledged)
   * or {@code nothing reported} after {@link #QUIET}.
   */
  static String deliver(V2Pair pair, byte[] envelope, boolean binary) throws Exception {
    // One envelope may give more than one event (a rejection and a notice): only what follows
    // this delivery counts. A message shown is never cleared: the caller counts those.
    pair.bobScreen.clearRejectionsAndNotices();
    if (!Polling.eventually(V2Pair.WAIT, () -> pair.relay.isOpen("bob"))
        || pair.relay.inject("bob", envelope, binary) == 0) {
      throw new CouldNotRunException("bob is not connected to the relay");
    }
    VictimScreen screen = pair.bobScreen;
    if (!Polling.eventually(QUIET, screen::anythingPending)) {
      return "nothing reported";
    }
    if (screen.shownCount() > 0) {
      return "SHOWN";
    }
    VictimScreen.Rejection r = screen.nextRejection(Duration.ZERO);
    if (r != null) {
      return r.label();
    }
    return screen.nextNotProcessed(Duration.ZERO) != null ? "KEPT_UNOPENED" : "nothing reported";
  }
}
