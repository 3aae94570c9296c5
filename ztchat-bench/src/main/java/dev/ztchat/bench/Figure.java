package dev.ztchat.bench;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One benchmark result: our figure, the peer's figure for the same job, their ratio and the target
 * the ratio must meet. {@code peer} is NaN when the peer could not run (then {@code note} says
 * why).
 *
 * @param bench the bench name (crypto, relay, ...)
 * @param metric what is measured, with its unit ("seal+open per message, µs")
 * @param ours our value
 * @param peerName what the peer is ("OpenSSL 3.0.19 floor")
 * @param peer the peer's value, or NaN
 * @param atLeast true when the ratio ours/peer must be at least {@code target}, false for at most
 * @param target the ratio to meet
 * @param note anything a reader needs to judge the figure (losses, skipped peers)
 */
public record Figure(
    String bench,
    String metric,
    double ours,
    String peerName,
    double peer,
    boolean atLeast,
    double target,
    String note) {
  public Figure {
    requireNonNull(bench, "bench");
    requireNonNull(metric, "metric");
    requireNonNull(peerName, "peerName");
    requireNonNull(note, "note");
  }

  /** A figure reported for information, with no peer and no target. */
  public static Figure info(String bench, String metric, double ours, String note) {
    return new Figure(bench, metric, ours, "-", Double.NaN, true, Double.NaN, note);
  }

  /** ours / peer, or NaN without a peer. */
  public double ratio() {
    return Double.isNaN(peer) || peer == 0 ? Double.NaN : ours / peer;
  }

  /** "met", "MISSED", or "-" when there is nothing to compare. */
  public String verdict() {
    double r = ratio();
    if (Double.isNaN(r) || Double.isNaN(target)) {
      return "-";
    }
    return (atLeast ? r >= target : r <= target) ? "met" : "MISSED";
  }

  /** The target as text: "≥ 1.00×" or "≤ 1.25×". */
  public String targetText() {
    return Double.isNaN(target)
        ? "-"
        : (atLeast ? "≥ " : "≤ ") + String.format(Locale.ROOT, "%.2f×", target);
  }

  /**
   * One tab-separated line, prefixed {@code FIGURE}, that bench/run-all.sh turns into a table row.
   */
  public String line() {
    return String.join(
        "\t",
        "FIGURE",
        bench,
        metric,
        num(ours),
        peerName,
        num(peer),
        Double.isNaN(ratio()) ? "-" : String.format(Locale.ROOT, "%.2f×", ratio()),
        targetText(),
        verdict(),
        note);
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
