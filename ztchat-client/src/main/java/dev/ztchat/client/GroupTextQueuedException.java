package dev.ztchat.client;

import java.io.IOException;

/**
 * A group text sent at once was kept in the durable outbox instead: an earlier change of mine to
 * the same group still waits there (it could not go now, or reached some members only), and a text
 * never goes out before an earlier change of its group (docs/v2/groups.md section 7.2, item 3). It
 * goes out after that change, sealed to the members as they are then, the next time this identity
 * connects or sends; nothing was sent now.
 */
public final class GroupTextQueuedException extends IOException {
  private static final long serialVersionUID = 1L;

  GroupTextQueuedException(String me, String group) {
    super(
        "your earlier change to "
            + group
            + " has not reached every member yet, so this message was not sent now: it is kept on"
            + " this device behind that change and goes out after it, the next time "
            + me
            + " connects or sends (send, recv or client)");
  }
}
