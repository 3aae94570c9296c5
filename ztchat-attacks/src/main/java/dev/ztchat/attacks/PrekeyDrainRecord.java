package dev.ztchat.attacks;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the {@code prekey-exhaustion} attack saw, and its verdict on it (docs/v2/prekeys.md sections
 * 4.3 and 5): which prekeys the victim published, every bundle the relay handed out in order, how
 * many {@code PREKEY_DRAIN} events the relay logged, and whether a legitimate session started. Kept
 * apart from the staging so that the check itself can be proven on recorded data.
 *
 * @param publishedOneTime the victim's one-time prekeys as published (hex of their encodings)
 * @param publishedLastResort the victim's last-resort prekey as published (hex)
 * @param handouts every {@code bundle} answer, in the order they came
 * @param drainBurst how many one-time prekeys one identity may take of one user before the limit
 * @param drainEvents {@code PREKEY_DRAIN} events the relay logged meanwhile; -1 when unknown
 * @param sessionFailure why the legitimate session did not start; null when it started
 */
record PrekeyDrainRecord(
    List<String> publishedOneTime,
    String publishedLastResort,
    List<Handout> handouts,
    int drainBurst,
    long drainEvents,
    String sessionFailure) {

  /**
   * One answer to a {@code bundle} request.
   *
   * @param requester who asked
   * @param kemPrekey hex of the ML-KEM prekey handed out; null when the answer was an error
   * @param lastResort whether the relay said it is the last-resort prekey
   * @param error the error answered instead of a bundle; null for a bundle
   */
  record Handout(String requester, String kemPrekey, boolean lastResort, String error) {
    static Handout bundle(String requester, String kemPrekey, boolean lastResort) {
      return new Handout(requester, kemPrekey, lastResort, null);
    }

    static Handout refused(String requester, String error) {
      return new Handout(requester, null, false, error);
    }
  }

  PrekeyDrainRecord {
    publishedOneTime = List.copyOf(publishedOneTime);
    requireNonNull(publishedLastResort, "publishedLastResort");
    handouts = List.copyOf(handouts);
  }

  /** HELD only when every rule of the defence held; otherwise BROKEN, naming the first failure. */
  Verdict judge(String attacker) {
    Set<String> published = new HashSet<>(publishedOneTime);
    Map<String, String> firstTaker = new HashMap<>();
    int attackerOneTime = 0;
    int attackerLastResort = 0;
    for (int i = 0; i < handouts.size(); i++) {
      Handout h = handouts.get(i);
      String which = "bundle " + (i + 1) + " (for " + h.requester() + ")";
      if (h.error() != null) {
        return Verdict.broken(
            which + " was refused (" + h.error() + "): a drain limit must not stop sessions");
      }
      boolean isLastResort = h.kemPrekey().equals(publishedLastResort);
      if (h.lastResort() != isLastResort) {
        return Verdict.broken(which + " is labelled wrongly: kem says " + kind(h.lastResort()));
      }
      if (isLastResort) {
        attackerLastResort += h.requester().equals(attacker) ? 1 : 0;
        continue;
      }
      if (!published.contains(h.kemPrekey())) {
        return Verdict.broken(which + " carries a one-time prekey the victim never published");
      }
      String earlier = firstTaker.putIfAbsent(h.kemPrekey(), h.requester());
      if (earlier != null) {
        return Verdict.broken(
            which
                + " carries a one-time prekey already handed to "
                + earlier
                + ": the relay handed one out twice");
      }
      if (h.requester().equals(attacker)) {
        attackerOneTime++;
        if (attackerLastResort > 0) {
          return Verdict.broken(
              which + " is one-time again after the limit gave " + attacker + " the last resort");
        }
      }
    }
    if (attackerOneTime > drainBurst) {
      return Verdict.broken(
          attacker
              + " took "
              + attackerOneTime
              + " one-time prekeys at once: the drain limit ("
              + drainBurst
              + ") did not stop the drain");
    }
    if (attackerLastResort == 0) {
      return Verdict.broken(attacker + " never reached the drain limit: the attack proves nothing");
    }
    if (drainEvents == 0) {
      return Verdict.broken(
          "the relay handed out the last-resort prekey over the limit but logged no PREKEY_DRAIN");
    }
    if (sessionFailure != null) {
      return Verdict.broken("no session could start after the drain: " + sessionFailure);
    }
    int left = publishedOneTime.size() - firstTaker.size();
    return Verdict.held(
        attacker
            + " asked for "
            + (attackerOneTime + attackerLastResort)
            + " bundles: "
            + attackerOneTime
            + " one-time prekeys (each handed out once), then the last-resort prekey "
            + attackerLastResort
            + " times; "
            + (drainEvents < 0
                ? "look for 'SECURITY event=PREKEY_DRAIN' in the server's log"
                : "the relay logged SECURITY event=PREKEY_DRAIN " + drainEvents + " times")
            + "; a legitimate session still started ("
            + left
            + " of "
            + publishedOneTime.size()
            + " one-time prekeys left)");
  }

  private static String kind(boolean lastResort) {
    return lastResort ? "last-resort" : "one-time";
  }
}
