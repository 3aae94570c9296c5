package dev.ztchat.bench;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * The JVM's own account of its memory, from Native Memory Tracking (the process must run with
 * {@code -XX:NativeMemoryTracking=summary}): committed bytes per category ("Java Heap", "Thread",
 * "Other" — where direct buffers such as Netty's go —, ...). Memory that native libraries allocate
 * with their own malloc (BoringSSL's per-connection state) is not tracked: it shows only in RSS.
 */
final class NativeMemory {
  /** The category holding the whole committed total. */
  static final String TOTAL = "Total";

  /** The Java heap's category. */
  static final String HEAP = "Java Heap";

  private static final Pattern TOTAL_LINE =
      Pattern.compile("^Total: reserved=(\\d+)(\\w*), committed=(\\d+)(\\w*)");
  private static final Pattern CATEGORY_LINE =
      Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)(\\w*), committed=(\\d+)(\\w*)");

  private NativeMemory() {}

  /** This JVM's NMT summary (committed bytes by category), or an empty map when NMT is off. */
  static Map<String, Long> summary() {
    try {
      Object text =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "vmNativeMemory",
                  new Object[] {new String[] {"summary", "scale=KB"}},
                  new String[] {String[].class.getName()});
      return parse(String.valueOf(text));
    } catch (Exception e) {
      return Map.of();
    }
  }

  /** Committed bytes by category from the text of {@code VM.native_memory summary}. */
  static Map<String, Long> parse(String summary) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String raw : summary.split("\\R")) {
      String line = raw.strip();
      Matcher t = TOTAL_LINE.matcher(line);
      if (t.find()) {
        out.put(TOTAL, bytes(t.group(3), t.group(4)));
        continue;
      }
      Matcher c = CATEGORY_LINE.matcher(line);
      if (c.find()) {
        out.put(c.group(1).strip(), bytes(c.group(4), c.group(5)));
      }
    }
    return out;
  }

  /** Committed memory outside the Java heap, in bytes (0 when the summary is empty). */
  static long outsideHeap(Map<String, Long> summary) {
    return summary.getOrDefault(TOTAL, 0L) - summary.getOrDefault(HEAP, 0L);
  }

  private static long bytes(String number, String unit) {
    long n = Long.parseLong(number);
    return switch (unit.toUpperCase(Locale.ROOT)) {
      case "", "B" -> n;
      case "KB" -> n << 10;
      case "MB" -> n << 20;
      case "GB" -> n << 30;
      default -> throw new IllegalArgumentException("unknown NMT unit " + unit);
    };
  }
}
