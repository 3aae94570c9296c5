package dev.ztchat.core.conversation;

/**
 * A forwarded group change (docs/v2/groups.md section 6.6) that failed one of its checks: the
 * message names the check, in words a user can act on, and never any key or content.
 */
public final class ForwardedChangeRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  public ForwardedChangeRefusedException(String message) {
    super(message);
  }
}
