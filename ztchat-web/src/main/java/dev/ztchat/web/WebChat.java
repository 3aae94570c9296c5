package dev.ztchat.web;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.ConnectionStatus;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.KeyChangedException;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.web.ContactStandings.Mark;
import io.netty.channel.Channel;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The chat window of one client: the {@link ChatListener} that turns each of the client's callbacks
 * into the page updates it concerns ({@link PageUpdates}), and the entry for the pages' commands
 * ({@link PageCommands}). Both run on one {@link PageWorker} thread, so the pages see changes in
 * the order they happened.
 *
 * <p>Texts go to the page as JSON strings and the page draws them with {@code textContent}; no text
 * is logged.
 */
public final class WebChat implements ChatListener, AutoCloseable {
  private final PageWorker worker = new PageWorker();
  private final PageUpdates updates;
  private final PageCommands commands;

  /**
   * A window for the client whose state folder is {@code stateDir}, where it keeps what the user
   * has read.
   */
  public WebChat(Clock clock, Path stateDir) {
    this.updates = new PageUpdates(clock, stateDir);
    this.commands = new PageCommands(updates);
  }

  /** Starts serving pages for {@code chat}; call once, right after the client was started. */
  public void attach(ChatClient chat) {
    updates.attach(chat);
    worker.run(updates::attached);
  }

  // ---- the pages

  void pageOpened(Channel page) {
    updates.pages.add(page);
    worker.run(() -> updates.welcome(page));
  }

  void command(Channel page, String text) {
    Map<String, String> c = PageEvents.command(text);
    worker.run(() -> commands.run(page, c));
  }

  // ---- the client's callbacks (receive thread): handed to the worker

  @Override
  public void onMessage(OpenedMessage m) {
    worker.run(() -> updates.arrived(m.sender()));
  }

  /** A message of {@code group}: from {@code sender}, or from another of my devices. */
  @Override
  public void onGroupMessage(GroupView group, String sender, OpenedMessage m) {
    worker.run(
        () -> {
          if (sender.equals(updates.client().me())) {
            updates.refresh(group.shown());
          } else {
            updates.arrived(group.shown());
          }
        });
  }

  /** A change of a group's members: the client keeps it as a line of the group's conversation. */
  @Override
  public void onGroupChange(GroupView group, String description) {
    worker.run(
        () -> {
          if (description.startsWith("[!]")) {
            updates.pages.broadcast(PageEvents.notice(description));
          }
          updates.refresh(group.shown());
        });
  }

  /** A message sent from another of this person's devices: it reads as sent from here. */
  @Override
  public void onOwnMessage(String peer, OpenedMessage m) {
    worker.run(() -> updates.refresh(peer));
  }

  @Override
  public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
    worker.run(
        () -> {
          if (claimedSender != null && reason == RejectionReason.SENDER_REVOKED) {
            updates.contacts.mark(claimedSender, Mark.REVOKED);
            updates.pages.broadcast(updates.conversations());
          }
          updates.pages.broadcast(
              PageEvents.notice(
                  "Dropped a message"
                      + (claimedSender == null ? "" : " claiming to be from " + claimedSender)
                      + ": "
                      + explanation));
        });
  }

  @Override
  public void onKeyChanged(String contact, String pinnedFingerprint, String newFingerprint) {
    worker.run(
        () -> {
          updates.contacts.mark(contact, Mark.CHANGED);
          updates.contactChanged(contact);
          updates.pages.broadcast(updates.conversations());
        });
  }

  @Override
  public void onContactKeysRenewed(String contact, String explanation) {
    worker.run(
        () -> {
          updates.contacts.mark(contact, Mark.RENEWED);
          updates.pages.broadcast(PageEvents.notice(explanation));
          updates.contactChanged(contact);
          updates.refresh(contact);
        });
  }

  @Override
  public void onDelivered(String peer, String messageIdHex) {
    worker.run(
        () -> {
          updates.refresh(peer);
          updates.refreshShownGroups();
        });
  }

  @Override
  public void onNotice(String notice) {
    worker.run(() -> updates.pages.broadcast(PageEvents.notice(notice)));
  }

  @Override
  public void onConnectionState(ConnectionStatus status) {
    worker.run(
        () -> {
          updates.connection.changed(status);
          updates.view.forgetLimits(); // the limit follows the frame size the relay announces
          updates.pages.broadcast(updates.connection.event());
          updates.refreshShown();
        });
  }

  @Override
  public void onSendResult(String peer, String messageIdHex, DeliveryStatus status) {
    worker.run(
        () -> {
          updates.view.answered(messageIdHex, status);
          updates.refresh(peer);
        });
  }

  @Override
  public void onSendBlocked(KeyChangedException change) {
    worker.run(
        () -> {
          updates.contacts.keysChanged(change);
          updates.contactChanged(change.contact());
          updates.refresh(change.contact());
        });
  }

  @Override
  public void onSendFailed(String peer, String reason) {
    worker.run(
        () -> {
          updates.view.failed(peer, reason);
          if (!GroupCommands.isGroup(peer) && ContactStandings.saysRevoked(reason)) {
            updates.contacts.mark(peer, Mark.REVOKED);
            updates.contactChanged(peer);
          }
          updates.refresh(peer);
        });
  }

  @Override
  public void close() {
    worker.close();
    updates.close();
  }
}
