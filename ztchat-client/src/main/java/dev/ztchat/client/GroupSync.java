package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.conversation.ForwardedChangeRefusedException;
import dev.ztchat.core.conversation.ForwardedChangeVerifier;
import dev.ztchat.core.group.AuthoredChange;
import dev.ztchat.core.group.MalformedGroupException;
import java.io.IOException;

/**
 * The receiving side of group sync (docs/v2/groups.md section 6.6): a device that joined late is
 * given a group's changes as their authors signed them, and applies each one, once its author's
 * certificate and signature verified, exactly as if it had arrived live. The device that forwarded
 * a change is never its author and is trusted for nothing; a record that fails a check is refused
 * and the user told who sent it and why.
 *
 * <p>Thread-safe: the verifier is stateless and {@link GroupConversations} orders the changes it
 * applies.
 */
final class GroupSync {
  private final ForwardedChangeVerifier verifier;
  private final GroupConversations conversations;
  private final ChatListener listener;

  GroupSync(
      ForwardedChangeVerifier verifier, GroupConversations conversations, ChatListener listener) {
    this.verifier = requireNonNull(verifier, "verifier");
    this.conversations = requireNonNull(conversations, "conversations");
    this.listener = requireNonNull(listener, "listener");
  }

  /**
   * Verifies the forwarded change {@code encoded} that {@code forwarder} (the verified sender of
   * the message that carried it) sent, and applies it; a duplicate of a change applied before
   * changes nothing.
   */
  void receive(String forwarder, byte[] encoded) throws IOException {
    requireNonNull(forwarder, "forwarder");
    ForwardedChange record;
    try {
      record = ForwardedChange.decode(encoded);
    } catch (MalformedGroupException e) {
      refused(forwarder, "it is malformed: " + e.getMessage());
      return;
    }
    try {
      AuthoredChange change;
      try {
        change = verifier.verify(record);
      } catch (ForwardedChangeRefusedException e) {
        refused(forwarder, e.getMessage());
        return;
      }
      conversations.receiveForwarded(forwarder, change, record);
    } finally {
      record.destroy();
    }
  }

  private void refused(String forwarder, String why) {
    listener.onGroupRejected(forwarder, refusal(null, forwarder, why));
  }

  /**
   * What the user is told of a forwarded change refused for {@code why} (docs/v2/groups.md section
   * 6.6): {@code a forwarded change of #NAME from SENDER was refused: ...}, without the group's
   * name when the record did not verify far enough to say it ({@code shownGroup} null).
   */
  static String refusal(String shownGroup, String forwarder, String why) {
    return "a forwarded change"
        + (shownGroup == null ? "" : " of " + shownGroup)
        + " from "
        + forwarder
        + " was refused: "
        + why
        + "; no group was changed";
  }
}
