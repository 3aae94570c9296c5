package dev.ztchat.client;

import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.remedy.Remedy;

/** What the chat client tells its user interface. Called on the client's receive thread. */
public interface ChatListener {
  /** A message that passed every check (docs/PROTOCOL.md section 7). */
  void onMessage(OpenedMessage message);

  /**
   * A message this person sent from another of their devices to {@code peer} (docs/v2/devices.md
   * section 6), checked as any message is and kept in the history of the conversation with {@code
   * peer} as sent by me. {@code peer} is the user's own name for a note to self.
   */
  default void onOwnMessage(String peer, OpenedMessage message) {}

  /**
   * A message was dropped. {@code claimedSender} is what its header said (unverified, may be {@code
   * null} if it did not even parse); {@code reason} is {@code null} for a malformed envelope.
   * {@code explanation} says what happened and what to do (the reason's {@link
   * RejectionReason#userMessage()} and the detail).
   */
  void onRejected(String claimedSender, RejectionReason reason, String explanation);

  /**
   * A message to group {@code group} from {@code sender}, a member of my current state of the group
   * (docs/v2/groups.md, receiving), checked as any message is and kept in the group's history;
   * {@code sender} is me for a message sent from another of my devices. {@code message.text()} is
   * the text.
   */
  default void onGroupMessage(GroupView group, String sender, OpenedMessage message) {}

  /**
   * A change to {@code group} was applied (or is waiting for an earlier one, or lost to a
   * concurrent one): {@code description} says what happened, in words for the user ({@code alice
   * added dave to #team}). {@code group} is the group's view after the change. Shown as a notice
   * unless overridden.
   */
  default void onGroupChange(GroupView group, String description) {
    onNotice(description);
  }

  /**
   * A group message or change from {@code claimedSender} passed the envelope's checks but was
   * refused by the group's rule (the sender is not a member, not an admin, the change does not
   * chain...): dropped, and {@code explanation} says why and what to do. By default told as {@link
   * #onRejected} with no reason.
   */
  default void onGroupRejected(String claimedSender, String explanation) {
    onRejected(claimedSender, null, explanation);
  }

  /**
   * A message could not be processed for a local or transient reason (the directory could not be
   * asked, the disk or the database failed). Nothing was dropped: it was not acknowledged, so the
   * relay keeps it and delivers it again. {@code explanation} says so and why. Shown as a notice
   * unless overridden.
   */
  default void onNotProcessed(String claimedSender, String explanation) {
    onNotice("[!] " + explanation);
  }

  /**
   * The CA renewed {@code contact}'s keys and the relay does not have the new ones yet: messages to
   * them wait in the outbox (nothing is dropped). Said once per contact until their new keys
   * appear; {@code explanation} says so for the user. Shown as a notice unless overridden.
   */
  default void onContactKeysRenewed(String contact, String explanation) {
    onNotice(explanation);
  }

  /** A contact's keys differ from the pinned ones. */
  default void onKeyChanged(String contact, String pinnedFingerprint, String newFingerprint) {}

  /**
   * {@code peer} confirmed, with a receipt signed by them, that they received the message with id
   * {@code messageIdHex}.
   */
  default void onDelivered(String peer, String messageIdHex) {}

  /** Something the user should know that is not a message: e.g. a certificate expires soon. */
  default void onNotice(String notice) {}

  /**
   * A notice with a step the user can take, for the front end to word after it; by default shown as
   * a plain notice.
   */
  default void onNotice(String notice, Remedy remedy) {
    onNotice(notice);
  }

  /**
   * The connection to the relay changed state (connecting, connected, offline and when it retries).
   */
  default void onConnectionState(ConnectionStatus status) {}

  /** A message from the outbox reached the relay: {@code status} says what it did with it. */
  default void onSendResult(String peer, String messageIdHex, DeliveryStatus status) {}

  /**
   * Messages to {@code change.contact()} wait in the outbox: their keys changed and must be
   * accepted.
   */
  default void onSendBlocked(KeyChangedException change) {}

  /**
   * A message from the outbox cannot be sent at all (and was removed from it): why, for the user.
   */
  default void onSendFailed(String peer, String reason) {}
}
