package dev.ztchat.attacks;

import java.util.List;
import java.util.Locale;

/** Small statistics for the attacks' reports (bounded polling is the shared {@code Polling}). */
final class Waits {
  private Waits() {}

  /** The median of {@code nanos}, in milliseconds. */
  static double medianMillis(List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[sorted.length / 2] / 1e6;
  }

  static String ms(double millis) {
    return String.format(Locale.ROOT, "%.1f ms", millis);
  }
}
