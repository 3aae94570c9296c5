package dev.ztchat.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs benchmarks with one shared throw-away PKI and prints each figure as it comes: a readable
 * line (ours / peer / ratio / target) and a {@code FIGURE} line for bench/run-all.sh. A bench that
 * fails is reported and the others still run.
 */
public final class BenchRunner {
  private BenchRunner() {}

  /**
   * Runs {@code benches}; returns every figure produced (an empty list for a bench that failed).
   */
  public static List<Figure> run(List<Benchmark> benches, BenchOptions options) throws Exception {
    PrintStream out = options.log();
    List<Figure> figures = new ArrayList<>();
    out.println(
        "ztchat bench"
            + (options.quick() ? " (quick: tiny counts, figures not meaningful)" : "")
            + ": "
            + Runtime.getRuntime().availableProcessors()
            + " cores, Java "
            + Runtime.version());
    try (BenchPki pki = BenchPki.create(3072)) {
      for (Benchmark b : benches) {
        out.println("== " + b.name() + ": " + b.description());
        long start = System.nanoTime();
        try {
          for (Figure f : b.run(options, pki)) {
            figures.add(f);
            out.println(readable(f));
            out.println(f.line());
          }
        } catch (Exception | AssertionError e) {
          out.println("BENCH_FAILED\t" + b.name() + "\t" + e);
          if (System.getenv("ZTCHAT_DEBUG") != null) {
            e.printStackTrace(out);
          }
        }
        out.printf(
            Locale.ROOT, "   (%s took %.1f s)%n", b.name(), (System.nanoTime() - start) / 1e9);
        out.flush();
      }
    }
    return figures;
  }

  static String readable(Figure f) {
    return String.format(
        Locale.ROOT,
        "%-10s %-42s ours %12s | %-26s %12s | ratio %7s | target %-8s %s",
        f.bench(),
        f.metric(),
        Figure.num(f.ours()),
        f.peerName(),
        Figure.num(f.peer()),
        Double.isNaN(f.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f×", f.ratio()),
        f.targetText(),
        f.verdict() + (f.note().isEmpty() ? "" : "  (" + f.note() + ")"));
  }
}
