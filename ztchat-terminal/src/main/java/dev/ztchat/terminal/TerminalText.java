package dev.ztchat.terminal;

/**
 * Makes text that came from the network (message text, sender names, server messages, error texts)
 * safe to write to a terminal or to a script's stdout: nothing in it can move the cursor, erase or
 * recolour what is already shown, set the window title, reorder text with bidirectional controls,
 * hide characters, or start a line that looks like a new message.
 *
 * <p>Each character below is replaced by a visible escape; everything else (letters of every
 * script, emoji, punctuation) is kept:
 *
 * <ul>
 *   <li>C0 controls and DEL: {@code \e} for ESC, {@code \t}, {@code \r}, {@code \n} (only in {@link
 *       #oneLine}), otherwise {@code \x07} style;
 *   <li>C1 controls (U+0080..U+009F, among them NEL U+0085 and CSI U+009B), the line and paragraph
 *       separators U+2028/U+2029, bidirectional marks, embeddings, overrides and isolates (U+200E,
 *       U+200F, U+061C, U+202A..U+202E, U+2066..U+2069) and every other invisible format character
 *       (zero-width space, BOM, soft hyphen, tag characters, Hangul fillers): {@code \\u202e} style
 *       (a backslash, u, four hex digits), {@code \U000e0041} above U+FFFF. The zero-width joiner
 *       and non-joiner stay: emoji sequences and several scripts need them, and they cannot move or
 *       hide text.
 * </ul>
 *
 * <p>{@link #oneLine} also escapes the backslash itself ({@code \\}), so its output decodes back to
 * exactly the original text; {@link #forScreen} keeps a typed backslash as it is (there a human
 * reads the text, and nothing parses it).
 */
public final class TerminalText {
  /** What starts each further line of a multi-line message on the screen. */
  public static final String CONTINUATION = "    | ";

  private TerminalText() {}

  /**
   * One line for scripts ({@code recv}): newlines become {@code \n} and backslashes {@code \\}, so
   * one message is exactly one line and the escaping cannot be imitated.
   */
  public static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    text.codePoints()
        .forEach(
            cp -> {
              if (cp == '\\') {
                out.append("\\\\");
              } else {
                appendSafe(out, cp);
              }
            });
    return out.toString();
  }

  /**
   * One line for a person reading stderr (warnings, errors): like {@link #oneLine} but a backslash
   * stays as it is, so paths and texts that are already escaped read naturally. Not for output a
   * program parses: use {@link #oneLine} there.
   */
  public static String notice(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    text.codePoints().forEach(cp -> appendSafe(out, cp));
    return out.toString();
  }

  /**
   * Text for the interactive screen: controls escaped, and every line after the first begins with
   * {@link #CONTINUATION}, so a multi-line message can never show a line that looks like a new
   * message or like one of the client's own notices.
   */
  public static String forScreen(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    text.codePoints()
        .forEach(
            cp -> {
              if (cp == '\n') {
                out.append('\n').append(CONTINUATION);
              } else {
                appendSafe(out, cp);
              }
            });
    return out.toString();
  }

  /**
   * Escapes what could act on a terminal, keeping newlines as they are: for the client's own
   * multi-line texts, whose pieces from the network were already passed through {@link #forScreen}.
   * Applying it twice changes nothing.
   */
  static String controlsEscaped(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    text.codePoints()
        .forEach(
            cp -> {
              if (cp == '\n') {
                out.append('\n');
              } else {
                appendSafe(out, cp);
              }
            });
    return out.toString();
  }

  /** Whether {@code cp} must not reach a terminal as it is. */
  public static boolean isUnsafe(int cp) {
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
      return true;
    }
    if (cp == 0x200c || cp == 0x200d) {
      return false; // joiners: needed by emoji sequences and several scripts; they hide nothing
    }
    if (cp == 0x115f || cp == 0x1160 || cp == 0x3164 || cp == 0xffa0) {
      return true; // Hangul fillers: letters by category, but shown as nothing
    }
    return switch (Character.getType(cp)) {
      case Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE ->
          true;
      default -> false;
    };
  }

  private static void appendSafe(StringBuilder out, int cp) {
    if (!isUnsafe(cp)) {
      out.appendCodePoint(cp);
      return;
    }
    switch (cp) {
      case 0x1b -> out.append("\\e");
      case '\t' -> out.append("\\t");
      case '\r' -> out.append("\\r");
      case '\n' -> out.append("\\n");
      default -> {
        if (cp < 0x80) {
          out.append(String.format("\\x%02x", cp));
        } else if (cp <= 0xffff) {
          out.append(String.format("\\u%04x", cp));
        } else {
          out.append(String.format("\\U%08x", cp));
        }
      }
    }
  }
}
