package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.UnknownGroupException;
import dev.ztchat.web.ContactStandings.Mark;
import dev.ztchat.web.ConversationView.Waiting;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What the open pages are sent, and the window's state it is made from: the conversation list
 * ({@link ConversationList}), the open conversation ({@link ConversationView}, {@link
 * GroupConversationView}), the contacts' standings ({@link ContactStandings}) and the connection
 * ({@link ConnectionView}), pushed as JSON to the {@link OpenPages}.
 *
 * <p>Not thread-safe: used on the {@link PageWorker}'s thread only (the client is set once, before
 * the first task that reads it).
 */
final class PageUpdates implements AutoCloseable {
  /** How many messages of a conversation the page shows. */
  static final int HISTORY = 200;

  final OpenPages pages = new OpenPages();
  final ConversationList list;
  final ConversationView view;
  final ContactStandings contacts = new ContactStandings();
  final ConnectionView connection;
  private final GroupConversationView groupView;
  private volatile ChatClient client;

  /** For a client whose state folder is {@code stateDir}, where it keeps what the user has read. */
  PageUpdates(Clock clock, Path stateDir) {
    requireNonNull(clock, "clock");
    this.list = new ConversationList(stateDir);
    this.view = new ConversationView(clock);
    this.groupView = new GroupConversationView(view);
    this.connection = new ConnectionView(clock);
  }

  void attach(ChatClient chat) {
    this.client = requireNonNull(chat, "chat");
  }

  /** The client, or null before {@link #attach}. */
  ChatClient client() {
    return client;
  }

  /** Reads the unread counts and sends every page the window as it is now. */
  void attached() {
    try {
      list.load(client);
    } catch (IOException e) {
      pages.broadcast(PageEvents.notice("Cannot read the unread counts: " + e.getMessage()));
    }
    pages.broadcast(hello());
    pages.broadcast(connection.event());
    pages.broadcast(conversations());
  }

  /** Sends a page that just opened the window as it is now. */
  void welcome(Channel page) {
    if (client == null) {
      return;
    }
    OpenPages.send(page, hello());
    OpenPages.send(page, connection.event());
    OpenPages.send(page, conversations());
  }

  /** A message of {@code conversation} arrived: read if a page shows it, else one more unread. */
  void arrived(String conversation) {
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

  /** The conversation list, and the history of {@code peer} wherever it is open. */
  void refresh(String peer) {
    pages.broadcast(conversations());
    if (pages.showing(peer)) {
      pages.sendToShowing(peer, history(peer));
    }
  }

  /** Refreshes every conversation some page shows. */
  void refreshShown() {
    pages.shown().forEach(this::refresh);
  }

  /** Refreshes the groups some page shows (a receipt for a group message names the member). */
  void refreshShownGroups() {
    pages.shown().stream().filter(GroupCommands::isGroup).forEach(this::refresh);
  }

  String conversations() {
    return list.event(client, contacts);
  }

  String history(String peer) {
    if (GroupCommands.isGroup(peer)) {
      return groupView.event(client, peer, connection.online());
    }
    Waiting waiting =
        contacts.waitsForAccept(peer)
            ? Waiting.FOR_ACCEPT
            : contacts.isMarked(peer, Mark.RENEWED) ? Waiting.FOR_RENEWED_KEYS : Waiting.NO;
    return view.event(client, peer, connection.online(), waiting);
  }

  /** The contact panel of {@code peer}, to every page. */
  void contactChanged(String peer) {
    pages.broadcast(contacts.event(client, peer));
  }

  private String hello() {
    ChatClient c = client;
    return PageEvents.event("hello", g -> g.writeStringField("me", c == null ? "" : c.me()));
  }

  @Override
  public void close() {
    pages.close();
  }
}
