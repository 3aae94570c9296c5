package dev.ztchat.attacks;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs attacks and turns whatever happens into a {@link Verdict}: an attack that throws could not
 * run; it is never counted as held. Formats the one-line verdict and the {@code attack all} table.
 */
public final class AttackRunner {
  private static final Logger LOG = LoggerFactory.getLogger(AttackRunner.class);

  /** One attack and its verdict. */
  public record Result(Attack attack, Verdict verdict, long millis) {}

  private AttackRunner() {}

  /**
   * Runs {@code attack} on a target made ready for it ({@link AttackTarget#beforeAttack}: what an
   * earlier attack left behind, queued envelopes or a spent rate budget, cannot decide this one).
   */
  public static Result run(Attack attack, AttackTarget target) {
    long start = System.nanoTime();
    Verdict v;
    try {
      target.beforeAttack();
      v = attack.run(target);
    } catch (CouldNotRunException e) {
      v = Verdict.couldNotRun(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      v = Verdict.couldNotRun("interrupted");
    } catch (Exception e) {
      LOG.debug("attack {} could not run", attack.name(), e);
      v = Verdict.couldNotRun(e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      target.afterAttack();
    }
    return new Result(attack, v, (System.nanoTime() - start) / 1_000_000);
  }

  public static List<Result> runAll(List<Attack> attacks, AttackTarget target) {
    List<Result> results = new ArrayList<>();
    for (Attack a : attacks) {
      results.add(run(a, target));
    }
    return results;
  }

  /** {@code HELD spoof: <observed>} */
  public static String verdictLine(Result r) {
    return r.verdict().outcome() + " " + r.attack().name() + ": " + r.verdict().observed();
  }

  /**
   * The outcome for several results: BROKEN if any broke, else COULD_NOT_RUN if any could not run,
   * else HELD.
   */
  public static Verdict.Outcome overall(List<Result> results) {
    if (results.stream().anyMatch(r -> r.verdict().outcome() == Verdict.Outcome.BROKEN)) {
      return Verdict.Outcome.BROKEN;
    }
    if (results.stream().anyMatch(r -> r.verdict().outcome() == Verdict.Outcome.COULD_NOT_RUN)) {
      return Verdict.Outcome.COULD_NOT_RUN;
    }
    return Verdict.Outcome.HELD;
  }

  /** A Markdown table: attack | what was tried | expected defence | observed | verdict. */
  public static String table(List<Result> results) {
    StringBuilder t = new StringBuilder();
    t.append("| attack | what was tried | expected defence | observed | verdict |\n");
    t.append("|---|---|---|---|---|\n");
    for (Result r : results) {
      t.append("| ")
          .append(r.attack().name())
          .append(" | ")
          .append(cell(r.attack().whatIsTried()))
          .append(" | ")
          .append(cell(r.attack().expectedDefence()))
          .append(" | ")
          .append(cell(r.verdict().observed()))
          .append(" | ")
          .append(
              r.verdict().outcome() == Verdict.Outcome.HELD
                  ? "HELD"
                  : r.verdict().outcome() == Verdict.Outcome.BROKEN ? "BROKEN" : "COULD NOT RUN")
          .append(" |\n");
    }
    return t.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
