package dev.ztchat.attacks;

/**
 * One attack on one security claim of ztchat, run against a real server over real TLS (and, for
 * end-to-end claims, against a real receiving client). It bounds its own load in count and time.
 */
public interface Attack {
  /** The name used on the command line, e.g. {@code spoof}. */
  String name();

  /** What the attacker does, in one line. */
  String whatIsTried();

  /** What ztchat is expected to do about it, in one line. */
  String expectedDefence();

  /**
   * Runs the attack and says what was observed. Throws {@link CouldNotRunException} (or any
   * exception) when the attack could not be staged; that is reported as {@link
   * Verdict.Outcome#COULD_NOT_RUN}, never as a held defence.
   */
  Verdict run(AttackTarget target) throws Exception;
}
