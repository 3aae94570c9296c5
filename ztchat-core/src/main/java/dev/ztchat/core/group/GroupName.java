package dev.ztchat.core.group;

import dev.ztchat.core.pki.IdentityName;

/**
 * The rule for group names: 1 to 32 characters from {@code [a-z0-9._-]}, starting with a letter or
 * digit, the alphabet of user names ({@link IdentityName}). Shown as {@code #NAME}. A name is a
 * label, not an identity: two groups may share one (docs/v2/groups.md section 2).
 */
public final class GroupName {
  /** Longest allowed name, in bytes (the alphabet is ASCII, so also in characters). */
  public static final int MAX_LENGTH = IdentityName.MAX_LENGTH;

  private GroupName() {}

  /** Returns true when {@code name} is an acceptable group name. */
  public static boolean isValid(String name) {
    return IdentityName.isValid(name);
  }

  /**
   * Returns {@code name}, or throws {@link IllegalArgumentException} with a message that says what
   * is wrong and what is allowed.
   */
  public static String validate(String name) {
    return IdentityName.validate(name, "group name");
  }
}
