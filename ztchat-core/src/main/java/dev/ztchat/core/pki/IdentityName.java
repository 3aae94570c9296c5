package dev.ztchat.core.pki;

/**
 * The rule for user names: 1 to 32 characters from {@code [a-z0-9._-]}, starting with a letter or
 * digit. The name is the certificate's CN and the user's address on the relay.
 */
public final class IdentityName {
  /** Longest allowed name. */
  public static final int MAX_LENGTH = 32;

  private IdentityName() {}

  /** Returns true when {@code name} is an acceptable identity name. */
  public static boolean isValid(String name) {
    return name != null && !name.isEmpty() && name.length() <= MAX_LENGTH && allowed(name);
  }

  /**
   * Throws {@link IllegalArgumentException} with a message that says what is wrong and what is
   * allowed, unless {@code name} is valid.
   */
  public static String validate(String name) {
    return validate(name, "identity name");
  }

  /**
   * As {@link #validate(String)} for another kind of name with the same rule (a group's), which the
   * message calls {@code what}.
   */
  public static String validate(String name, String what) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(
          what + " is empty: use 1 to " + MAX_LENGTH + " characters from a-z 0-9 . _ -");
    }
    if (name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          what + " is " + name.length() + " characters long: at most " + MAX_LENGTH + " allowed");
    }
    if (!allowed(name)) {
      throw new IllegalArgumentException(
          what
              + " '"
              + printable(name)
              + "' is not allowed: use only lowercase letters, digits, '.', '_' and '-', starting"
              + " with a letter or digit");
    }
    return name;
  }

  /**
   * Whether {@code name} matches {@code [a-z0-9][a-z0-9._-]*}: checked character by character, as
   * every envelope's names are, which a regular expression made a measurable share of a message.
   */
  private static boolean allowed(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letterOrDigit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!letterOrDigit && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
        return false;
      }
    }
    return !name.isEmpty();
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints()
        .limit(40)
        .forEach(
            c ->
                b.append(
                    c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\u%04x", c)));
    return b.toString();
  }
}
