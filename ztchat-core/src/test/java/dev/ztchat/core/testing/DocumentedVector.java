package dev.ztchat.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a test vector from the spec document that publishes it, so the tests check the bytes the
 * reader of the spec sees: a section from its heading to the next {@code ## } heading, and in it
 * the values written as {@code name = hex}, the hex wrapped onto following lines.
 */
public final class DocumentedVector {
  private static final Pattern VALUE = Pattern.compile("^([a-z0-9_]+) = ?([0-9a-f]*)$");
  private static final Pattern MORE = Pattern.compile("^([0-9a-f]+)$");

  private DocumentedVector() {}

  /** The text of {@code doc} from {@code heading} to the next second-level heading or the end. */
  public static String section(Path doc, String heading) throws IOException {
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int start = text.indexOf(heading);
    if (start < 0) {
      throw new IllegalStateException(doc + " has no '" + heading + "'");
    }
    int end = text.indexOf("\n## ", start + heading.length());
    return end < 0 ? text.substring(start) : text.substring(start, end);
  }

  /** The values of {@code section}, in the order written. */
  public static Map<String, String> values(String section) {
    Map<String, String> out = new LinkedHashMap<>();
    parseInto(section, out);
    return out;
  }

  /** Adds the values of {@code section} to {@code into}; a name written twice is an error. */
  public static void parseInto(String section, Map<String, String> into) {
    String current = null;
    for (String line : section.split("\n", -1)) {
      Matcher v = VALUE.matcher(line.stripTrailing());
      if (v.matches()) {
        current = v.group(1);
        if (into.put(current, v.group(2)) != null) {
          throw new IllegalStateException("the vectors name " + current + " twice");
        }
        continue;
      }
      Matcher m = MORE.matcher(line);
      if (current != null && m.matches()) {
        into.merge(current, m.group(1), String::concat);
      } else {
        current = null;
      }
    }
  }
}
