package dev.ztchat.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU time a JVM process has used, by kind of thread (event loops, the two JIT compilers, GC,
 * the rest), read from Linux's {@code /proc}: what the handshake bench's first-seconds rows are
 * made of. Compilers' work is a fixed amount rather than a rate, so the figures are given per
 * handshake of a window, which a loaded host changes less than the rate. Empty where {@code /proc}
 * cannot be read (another OS, or the process has ended).
 */
final class ThreadCpu {
  /** The kinds, in the order they are printed; the last takes every other thread. */
  static final String[] KINDS = {"event loops", "C1", "C2", "GC", "other"};

  /** The clock ticks of {@code /proc}'s stat files: 100 a second on Linux. */
  private static final double MILLIS_PER_TICK = 10.0;

  private final Map<String, Double> millis;

  private ThreadCpu(Map<String, Double> millis) {
    this.millis = millis;
  }

  /** No CPU time at all: the origin for a process's time since its start. */
  static ThreadCpu none() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String k : KINDS) {
      m.put(k, 0.0);
    }
    return new ThreadCpu(m);
  }

  /** The CPU time of process {@code pid} now, by kind, including its threads that have ended. */
  static Optional<ThreadCpu> read(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    Map<String, Double> m = none().millis;
    double threads = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
      for (Path t : tasks) {
        Optional<Double> ms = millisOf(t.resolve("stat"));
        Optional<String> name = read(t.resolve("comm"));
        if (ms.isPresent() && name.isPresent()) {
          m.merge(kind(name.get()), ms.get(), Double::sum);
          threads += ms.get();
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    Optional<Double> all = millisOf(proc.resolve("stat"));
    if (all.isEmpty()) {
      return Optional.empty();
    }
    // threads that have ended are counted in the process's total only
    m.merge("other", Math.max(0, all.get() - threads), Double::sum);
    return Optional.of(new ThreadCpu(m));
  }

  static String kind(String threadName) {
    if (threadName.startsWith("multiThreadIo") || threadName.startsWith("nioEventLoop")) {
      return "event loops";
    }
    if (threadName.startsWith("C1 Compiler")) {
      return "C1";
    }
    if (threadName.startsWith("C2 Compiler")) {
      return "C2";
    }
    if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ")) {
      return "GC";
    }
    return "other";
  }

  double totalMillis() {
    return millis.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /**
   * "X ms (event loops a, C1 b, ...)": the CPU used since {@code before}, divided by {@code per} (1
   * for the time itself, a handshake count for ms per handshake); "n/a" when {@code per} is not
   * positive (a window without a handshake). A kind whose threads ended in between can show less
   * than before: an ended thread's time is counted in "other" (the process's total keeps it), so
   * the total is right and the kinds are right for a process whose threads live as long as it does,
   * as a relay's event loops and compilers do.
   */
  String since(ThreadCpu before, double per) {
    if (!(per > 0)) {
      return "n/a";
    }
    String number = per == 1 ? "%.0f" : "%.2f";
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT, number + " ms (", (totalMillis() - before.totalMillis()) / per));
    for (int i = 0; i < KINDS.length; i++) {
      String k = KINDS[i];
      s.append(i == 0 ? "" : ", ")
          .append(k)
          .append(' ')
          .append(String.format(Locale.ROOT, number, (millis.get(k) - before.millis.get(k)) / per));
    }
    return s.append(')').toString();
  }

  private static Optional<Double> millisOf(Path stat) {
    // fields after the command name, which is in parentheses and may hold spaces: utime, stime
    // are the 14th and 15th fields of the line
    return read(stat)
        .map(line -> line.substring(line.lastIndexOf(')') + 2).split(" "))
        .map(f -> (Long.parseLong(f[11]) + Long.parseLong(f[12])) * MILLIS_PER_TICK);
  }

  private static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.ISO_8859_1).strip());
    } catch (IOException e) {
      return Optional.empty(); // the thread ended between the listing and the read
    }
  }
}
