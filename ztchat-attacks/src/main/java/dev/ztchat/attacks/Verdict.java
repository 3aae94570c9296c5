package dev.ztchat.attacks;

import static java.util.Objects.requireNonNull;

/** The result of one attack: whether the defence held, and what was observed. */
public record Verdict(Outcome outcome, String observed) {
  /** HELD: the defence worked. BROKEN: the attack succeeded. COULD_NOT_RUN: no conclusion. */
  public enum Outcome {
    HELD(0),
    BROKEN(1),
    COULD_NOT_RUN(2);

    private final int exitCode;

    Outcome(int exitCode) {
      this.exitCode = exitCode;
    }

    /** The exit code of {@code ztchat attack} for this outcome. */
    public int exitCode() {
      return exitCode;
    }
  }

  public Verdict {
    requireNonNull(outcome, "outcome");
    requireNonNull(observed, "observed");
  }

  static Verdict held(String observed) {
    return new Verdict(Outcome.HELD, observed);
  }

  static Verdict broken(String observed) {
    return new Verdict(Outcome.BROKEN, observed);
  }

  static Verdict couldNotRun(String reason) {
    return new Verdict(Outcome.COULD_NOT_RUN, reason);
  }
}
