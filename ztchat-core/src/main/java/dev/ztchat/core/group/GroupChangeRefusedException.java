package dev.ztchat.core.group;

/**
 * A group change that the rule of docs/v2/groups.md section 5 does not allow: the message says what
 * was refused and why, in words a user can act on.
 */
public final class GroupChangeRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  public GroupChangeRefusedException(String message) {
    super(message);
  }
}
