package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.KeyChangedException;
import dev.ztchat.client.MessageTooLongException;
import dev.ztchat.client.UnknownGroupException;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.core.pki.IdentityName;
import io.netty.channel.Channel;
import java.io.IOException;
import java.util.Map;

/**
 * Carries out what a page asks over its WebSocket: open a conversation with a person or a group,
 * send, accept a contact's new keys or device, show a contact, and through {@link GroupCommands}
 * create a group, add or remove a member, leave. Every refusal goes back to the asking page in
 * words; nothing is logged.
 *
 * <p>Not thread-safe: runs on the {@link PageWorker}'s thread.
 */
final class PageCommands {
  private final PageUpdates updates;

  PageCommands(PageUpdates updates) {
    this.updates = requireNonNull(updates, "updates");
  }

  /**
   * Carries out the command {@code c} (already parsed; null when it did not parse) of {@code page}.
   */
  void run(Channel page, Map<String, String> c) {
    ChatClient client = updates.client();
    if (c == null || c.get("t") == null) {
      OpenPages.send(
          page, PageEvents.error("", "The page sent something this version does not know."));
      return;
    }
    if (client == null) {
      return;
    }
    String peer = c.getOrDefault("peer", "");
    String type = c.get("t");
    if (type.startsWith("group-")) {
      changeGroup(client, page, type, c);
      return;
    }
    boolean group = GroupCommands.isGroup(peer);
    if (!group && !IdentityName.isValid(peer)) {
      OpenPages.send(
          page,
          PageEvents.error(
              peer, "Not a user name: " + PageEvents.quoted(peer) + " (names are lowercase)."));
      return;
    }
    if (group && !type.equals("open") && !type.equals("send")) {
      OpenPages.send(
          page, PageEvents.error(peer, "A group has no keys of its own: see its members'."));
      return;
    }
    try {
      switch (type) {
        case "open" -> open(client, page, group ? client.group(peer).shown() : peer);
        case "send" -> send(client, page, peer, group, c.getOrDefault("text", ""));
        case "accept" -> accept(client, page, peer);
        case "contact" -> OpenPages.send(page, updates.contacts.event(client, peer));
        default -> OpenPages.send(page, PageEvents.error(peer, "Unknown command."));
      }
    } catch (UnknownGroupException e) {
      OpenPages.send(page, PageEvents.error(peer, e.getMessage()));
    } catch (IOException | RuntimeException e) {
      OpenPages.send(page, PageEvents.error(peer, "Could not do that: " + e.getMessage()));
    }
  }

  private void changeGroup(ChatClient client, Channel page, String type, Map<String, String> c) {
    GroupView done;
    try {
      done = GroupCommands.run(client, type, c);
    } catch (GroupCommands.Refused e) {
      OpenPages.send(page, PageEvents.error(c.getOrDefault("peer", ""), e.getMessage()));
      return;
    }
    if (type.equals("group-create")) {
      updates.list.started(done.shown());
      OpenPages.send(
          page, PageEvents.event("opened", g -> g.writeStringField("peer", done.shown())));
    }
    updates.refresh(done.shown());
  }

  private void open(ChatClient client, Channel page, String peer)
      throws IOException, UnknownGroupException {
    boolean group = GroupCommands.isGroup(peer);
    OpenPages.show(page, peer);
    updates.list.seen(client, peer);
    if (!group && !client.conversations().contains(peer)) {
      updates.list.started(peer);
    }
    OpenPages.send(page, updates.history(peer));
    updates.pages.broadcast(updates.conversations());
    if (!group) { // a group's members are in its history event
      OpenPages.send(page, updates.contacts.event(client, peer));
    }
  }

  private void send(ChatClient client, Channel page, String peer, boolean group, String text)
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
    updates.list.started(peer);
    updates.refresh(peer);
  }

  private void accept(ChatClient client, Channel page, String peer) throws IOException {
    KeyChangedException change = updates.contacts.takeChange(peer);
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
    updates.contacts.unmark(peer);
    updates.pages.broadcast(
        PageEvents.notice(
            "Accepted the new "
                + (change.newDevice() == null ? "keys" : "device")
                + " of "
                + peer
                + ". Waiting messages are sent now."));
    updates.contactChanged(peer);
    updates.refresh(peer);
  }
}
