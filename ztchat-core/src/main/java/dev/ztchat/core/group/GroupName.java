package dev.ztchat.core.group;

import dev.ztchat.core.pki.IdentityName;
import java.util.regex.Pattern;

/**
 * The rule for group names: 1 to 32 characters from {@code [a-z0-9._-]}, starting with a letter or
 * digit, the alphabet of user names ({@link IdentityName}). Shown as {@code #NAME}. A name is a
 * label, not an identity: two groups may share one (docs/v2/groups.md section 2).
 */
public final class GroupName {
  /** Longest allowed name, in bytes (the alphabet is ASCII, so also in characters). */
  public static final int MAX_LENGTH = IdentityName.MAX_LENGTH;

  private static final Pattern ALLOWED = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  private GroupName() {}

  /** Returns true when {@code name} is an acceptable group name. */
  public static boolean isValid(String name) {
    return name != null
        && !name.isEmpty()
        && name.length() <= MAX_LENGTH
        && ALLOWED.matcher(name).matches();
  }

  /**
   * Returns {@code name}, or throws {@link IllegalArgumentException} with a message that says what
   * is wrong and what is allowed.
   */
  public static String validate(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(
          "group name is empty: use 1 to " + MAX_LENGTH + " characters from a-z 0-9 . _ -");
    }
    if (name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "group name is "
              + name.length()
              + " characters long: at most "
              + MAX_LENGTH
              + " allowed");
    }
    if (!ALLOWED.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "group name is not allowed: use only lowercase letters, digits, '.', '_' and '-',"
              + " starting with a letter or digit");
    }
    return name;
  }
}
