package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.ConnectionStatus;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.KeyChangedException;
import dev.ztchat.client.MessageTooLongException;
import dev.ztchat.client.UnknownGroupException;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.web.ContactStandings.Mark;
import dev.ztchat.web.ConversationView.Waiting;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge between the user's {@link ChatClient} and the open pages: it listens to the client,
 * hands each change to the part of the page it concerns ({@link ConversationList}, {@link
 * ConversationView}, {@link GroupConversationView}, {@link ContactStandings}, {@link
 * ConnectionView}) and pushes the result to the {@link OpenPages} as JSON; it carries out the
 * page's commands (open a conversation with a person or a group, send, accept new keys, and through
 * {@link GroupCommands} create a group, add or remove a member, leave).
 *
 * <p>Threading: the client's callbacks and the pages' commands are all handed to one thread, so the
 * state needs no locks and the pages see changes in the order they happened.
 *
 * <p>Texts go to the page as JSON strings and the page draws them with {@code textContent}; no text
 * is logged.
 */
public final class WebChat implements ChatListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebChat.class);

  /** How many messages of a conversation the page shows. */
  static final int HISTORY = 200;

  private final OpenPages pages = new OpenPages();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "ztchat-web");
            t.setDaemon(true);
            return t;
          });
  private volatile ChatClient client;

  // Worker thread only.
  private final ConversationList list;
  private final ConversationView view;
  private final GroupConversationView groupView;
  private final ContactStandings contacts = new ContactStandings();
  private final ConnectionView connection;

  /**
   * A window for the client whose state folder is {@code stateDir}, where it keeps what the user
   * has read.
   */
  public WebChat(Clock clock, Path stateDir) {
    requireNonNull(clock, "clock");
    this.list = new ConversationList(stateDir);
    this.view = new ConversationView(clock);
    this.groupView = new GroupConversationView(view);
    this.connection = new ConnectionView(clock);
  }

  /** Starts serving pages for {@code chat}; call once, right after the client was started. */
  public void attach(ChatClient chat) {
    this.client = requireNonNull(chat, "chat");
    run(
        () -> {
          try {
            list.load(chat);
          } catch (IOException e) {
            pages.broadcast(PageEvents.notice("Cannot read the unread counts: " + e.getMessage()));
          }
          pages.broadcast(hello());
          pages.broadcast(connection.event());
          pages.broadcast(conversations());
        });
  }

  // ---- the pages

  void pageOpened(Channel page) {
    pages.add(page);
    run(
        () -> {
          if (client == null) {
            return;
          }
          OpenPages.send(page, hello());
          OpenPages.send(page, connection.event());
          OpenPages.send(page, conversations());
        });
  }

  void command(Channel page, String text) {
    Map<String, String> c = PageEvents.command(text);
    if (c == null || c.get("t") == null) {
      run(
          () ->
              OpenPages.send(
                  page,
                  PageEvents.error("", "The page sent something this version does not know.")));
      return;
    }
    String peer = c.getOrDefault("peer", "");
    String type = c.get("t");
    run(
        () -> {
          if (client == null) {
            return;
          }
          if (type.startsWith("group-")) {
            changeGroup(page, type, c);
            return;
          }
          boolean group = GroupCommands.isGroup(peer);
          if (!group && !IdentityName.isValid(peer)) {
            OpenPages.send(
                page,
                PageEvents.error(
                    peer, "Not a user name: " + quoted(peer) + " (names are lowercase)."));
            return;
          }
          if (group && !type.equals("open") && !type.equals("send")) {
            OpenPages.send(
                page, PageEvents.error(peer, "A group has no keys of its own: see its members'."));
            return;
          }
          try {
            switch (type) {
              case "open" -> open(page, group ? client.group(peer).shown() : peer);
              case "send" -> send(page, peer, group, c.getOrDefault("text", ""));
              case "accept" -> accept(page, peer);
              case "contact" -> OpenPages.send(page, contacts.event(client, peer));
              default -> OpenPages.send(page, PageEvents.error(peer, "Unknown command."));
            }
          } catch (UnknownGroupException e) {
            OpenPages.send(page, PageEvents.error(peer, e.getMessage()));
          } catch (IOException | RuntimeException e) {
            OpenPages.send(page, PageEvents.error(peer, "Could not do that: " + e.getMessage()));
          }
        });
  }

  private void changeGroup(Channel page, String type, Map<String, String> c) {
    GroupView done;
    try {
      done = GroupCommands.run(client, type, c);
    } catch (GroupCommands.Refused e) {
      OpenPages.send(page, PageEvents.error(c.getOrDefault("peer", ""), e.getMessage()));
      return;
    }
    if (type.equals("group-create")) {
      list.started(done.shown());
      OpenPages.send(
          page, PageEvents.event("opened", g -> g.writeStringField("peer", done.shown())));
    }
    refresh(done.shown());
  }

  private void open(Channel page, String peer) throws IOException, UnknownGroupException {
    boolean group = GroupCommands.isGroup(peer);
    OpenPages.show(page, peer);
    list.seen(client, peer);
    if (!group && !client.conversations().contains(peer)) {
      list.started(peer);
    }
    OpenPages.send(page, history(peer));
    pages.broadcast(conversations());
    if (!group) { // a group's members are in its history event
      OpenPages.send(page, contacts.event(client, peer));
    }
  }

  private void send(Channel page, String peer, boolean group, String text)
      throws IOException, UnknownGroupException {
    if (text.isBlank()) {
      return;
    }
    try {
      if (group) {
        peer = client.sendToGroupOrKeep(peer, text);
      } else {
        client.sendOrKeep(peer, text);
      }
    } catch (MessageTooLongException | IllegalArgumentException e) {
      OpenPages.send(page, PageEvents.error(peer, "Not sent: " + e.getMessage()));
      return;
    }
    list.started(peer);
    refresh(peer);
  }

  private void accept(Channel page, String peer) throws IOException {
    KeyChangedException change = contacts.takeChange(peer);
    if (change == null) {
      try {
        client.checkContact(peer);
      } catch (KeyChangedException e) {
        change = e;
      } catch (UntrustedContactException e) {
        OpenPages.send(page, PageEvents.error(peer, "Cannot accept: " + e.getMessage()));
        return;
      }
    }
    if (change == null) {
      OpenPages.send(page, PageEvents.error(peer, "No key change is waiting for " + peer + "."));
      return;
    }
    client.acceptChange(change); // changed keys, or a new device of the contact
    contacts.unmark(peer);
    pages.broadcast(
        PageEvents.notice(
            "Accepted the new "
                + (change.newDevice() == null ? "keys" : "device")
                + " of "
                + peer
                + ". Waiting messages are sent now."));
    pages.broadcast(contacts.event(client, peer));
    refresh(peer);
  }

  // ---- the client's callbacks (receive thread): handed to the worker

  @Override
  public void onMessage(OpenedMessage m) {
    run(() -> arrived(m.sender()));
  }

  /** A message of {@code group}: from {@code sender}, or from another of my devices. */
  @Override
  public void onGroupMessage(GroupView group, String sender, OpenedMessage m) {
    run(
        () -> {
          if (sender.equals(client.me())) {
            refresh(group.shown());
          } else {
            arrived(group.shown());
          }
        });
  }

  /** A change of a group's members: the client keeps it as a line of the group's conversation. */
  @Override
  public void onGroupChange(GroupView group, String description) {
    run(
        () -> {
          if (description.startsWith("[!]")) {
            pages.broadcast(PageEvents.notice(description));
          }
          refresh(group.shown());
        });
  }

  private void arrived(String conversation) {
    if (pages.showing(conversation)) {
      try {
        list.seen(client, conversation);
      } catch (IOException | UnknownGroupException e) {
        pages.broadcast(PageEvents.notice("Cannot keep what was read: " + e.getMessage()));
      }
    } else {
      list.unseen(conversation);
    }
    refresh(conversation);
  }

  /** A message sent from another of this person's devices: it reads as sent from here. */
  @Override
  public void onOwnMessage(String peer, OpenedMessage m) {
    run(() -> refresh(peer));
  }

  @Override
  public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
    run(
        () -> {
          if (claimedSender != null && reason == RejectionReason.SENDER_REVOKED) {
            contacts.mark(claimedSender, Mark.REVOKED);
            pages.broadcast(conversations());
          }
          pages.broadcast(
              PageEvents.notice(
                  "Dropped a message"
                      + (claimedSender == null ? "" : " claiming to be from " + claimedSender)
                      + ": "
                      + explanation));
        });
  }

  @Override
  public void onKeyChanged(String contact, String pinnedFingerprint, String newFingerprint) {
    run(
        () -> {
          contacts.mark(contact, Mark.CHANGED);
          pages.broadcast(contacts.event(client, contact));
          pages.broadcast(conversations());
        });
  }

  @Override
  public void onContactKeysRenewed(String contact, String explanation) {
    run(
        () -> {
          contacts.mark(contact, Mark.RENEWED);
          pages.broadcast(PageEvents.notice(explanation));
          pages.broadcast(contacts.event(client, contact));
          refresh(contact);
        });
  }

  @Override
  public void onDelivered(String peer, String messageIdHex) {
    run(
        () -> {
          refresh(peer);
          // a receipt for a group message names the member: refresh the open groups
          pages.shown().stream().filter(GroupCommands::isGroup).forEach(this::refresh);
        });
  }

  @Override
  public void onNotice(String notice) {
    run(() -> pages.broadcast(PageEvents.notice(notice)));
  }

  @Override
  public void onConnectionState(ConnectionStatus status) {
    run(
        () -> {
          connection.changed(status);
          view.forgetLimits(); // the limit follows the frame size the relay announces
          pages.broadcast(connection.event());
          pages.shown().forEach(this::refresh);
        });
  }

  @Override
  public void onSendResult(String peer, String messageIdHex, DeliveryStatus status) {
    run(
        () -> {
          view.answered(messageIdHex, status);
          refresh(peer);
        });
  }

  @Override
  public void onSendBlocked(KeyChangedException change) {
    run(
        () -> {
          contacts.keysChanged(change);
          pages.broadcast(contacts.event(client, change.contact()));
          refresh(change.contact());
        });
  }

  @Override
  public void onSendFailed(String peer, String reason) {
    run(
        () -> {
          view.failed(peer, reason);
          if (!GroupCommands.isGroup(peer) && ContactStandings.saysRevoked(reason)) {
            contacts.mark(peer, Mark.REVOKED);
            pages.broadcast(contacts.event(client, peer));
          }
          refresh(peer);
        });
  }

  // ---- what the pages are sent

  /** The conversation list and the history of {@code peer} wherever it is open. */
  private void refresh(String peer) {
    pages.broadcast(conversations());
    if (pages.showing(peer)) {
      pages.sendToShowing(peer, history(peer));
    }
  }

  private String conversations() {
    return list.event(client, contacts);
  }

  private String history(String peer) {
    if (GroupCommands.isGroup(peer)) {
      return groupView.event(client, peer, connection.online());
    }
    Waiting waiting =
        contacts.waitsForAccept(peer)
            ? Waiting.FOR_ACCEPT
            : contacts.isMarked(peer, Mark.RENEWED) ? Waiting.FOR_RENEWED_KEYS : Waiting.NO;
    return view.event(client, peer, connection.online(), waiting);
  }

  private String hello() {
    ChatClient c = client;
    return PageEvents.event("hello", g -> g.writeStringField("me", c == null ? "" : c.me()));
  }

  static String quoted(String s) {
    return "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
  }

  private void run(Runnable task) {
    try {
      worker.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.warn("the page could not be updated: {}", e.getClass().getSimpleName());
            }
          });
    } catch (RejectedExecutionException e) {
      // closing: nothing more to show
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
    pages.close();
  }
}
