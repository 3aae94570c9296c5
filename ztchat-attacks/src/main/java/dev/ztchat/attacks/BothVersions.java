package dev.ztchat.attacks;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One attack run twice: against version-1 victims (users without a device credential, as a v1-only
 * client is configured) and against version-2 victims. Held only if both variants held; broken if
 * either broke; otherwise it could not run. The observed text gives both.
 */
final class BothVersions implements Attack {
  private final Attack version1;
  private final Attack version2;

  BothVersions(Attack version1, Attack version2) {
    this.version1 = requireNonNull(version1, "version1");
    this.version2 = requireNonNull(version2, "version2");
  }

  @Override
  public String name() {
    return version1.name();
  }

  @Override
  public String whatIsTried() {
    return "version 1 (v1-only clients): "
        + version1.whatIsTried()
        + " | version 2 (clients with device certificates): "
        + version2.whatIsTried();
  }

  @Override
  public String expectedDefence() {
    return "version 1: "
        + version1.expectedDefence()
        + " | version 2: "
        + version2.expectedDefence();
  }

  @Override
  public Verdict run(AttackTarget target) {
    Verdict v1 = AttackRunner.run(version1, target).verdict();
    Verdict v2 = AttackRunner.run(version2, target).verdict();
    List<Verdict.Outcome> outcomes = List.of(v1.outcome(), v2.outcome());
    Verdict.Outcome overall =
        outcomes.contains(Verdict.Outcome.BROKEN)
            ? Verdict.Outcome.BROKEN
            : outcomes.contains(Verdict.Outcome.COULD_NOT_RUN)
                ? Verdict.Outcome.COULD_NOT_RUN
                : Verdict.Outcome.HELD;
    return new Verdict(
        overall,
        "version 1: "
            + v1.outcome()
            + ": "
            + v1.observed()
            + " | version 2: "
            + v2.outcome()
            + ": "
            + v2.observed());
  }
}
