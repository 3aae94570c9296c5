package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.HistoryEntry;
import dev.ztchat.client.UnknownGroupException;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.web.ConversationView.Aside;
import dev.ztchat.web.ConversationView.Waiting;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An open group conversation as the page shows it (docs/v2/groups.md): its members with the admins
 * marked, its history with each message's sender, the changes of its members as lines between the
 * messages (kept by the client library in the group's history, so they survive a restart), and per
 * message of mine who confirmed receiving it; and the longest text a message to the group can hold
 * (the client's figure for the group, not that of one recipient). Not thread-safe: used by {@link
 * WebChat}'s one thread.
 */
final class GroupConversationView {
  private static final String[] CHANGE = {"system", ""};

  private final ConversationView messages;

  /** {@code messages} keeps the relay's answers and the failures. */
  GroupConversationView(ConversationView messages) {
    this.messages = requireNonNull(messages, "messages");
  }

  String event(ChatClient client, String ref, boolean online) {
    GroupView group;
    List<HistoryEntry> entries;
    List<String> kept;
    Map<String, List<String>> receipts = new HashMap<>();
    int limit;
    try {
      group = client.group(ref);
      entries = client.groupConversation(group.idHex(), PageUpdates.HISTORY);
      kept = client.groupWaiting(group.idHex());
      limit = client.maxGroupTextBytes(group.idHex());
      for (HistoryEntry e : entries) {
        if (e.direction() == HistoryEntry.Direction.OUT) {
          receipts.put(
              e.messageIdHex(), client.groupReceipts(e.messageIdHex()).stream().sorted().toList());
        }
      }
    } catch (IOException | UnknownGroupException e) {
      return PageEvents.error(ref, "Cannot read the group " + ref + ": " + e.getMessage());
    }
    List<Aside> asides = messages.failures(group.shown());
    String me = client.me();
    List<String> others = group.members().stream().filter(m -> !m.equals(me)).toList();
    return PageEvents.event(
        "history",
        g -> {
          g.writeStringField("peer", group.shown());
          g.writeNumberField("maxBytes", limit);
          g.writeObjectFieldStart("group");
          g.writeBooleanField("removed", group.removed());
          g.writeBooleanField("admin", group.admins().contains(me));
          g.writeArrayFieldStart("members");
          for (String m : group.members()) {
            g.writeStartObject();
            g.writeStringField("name", m);
            g.writeBooleanField("admin", group.admins().contains(m));
            g.writeBooleanField("me", m.equals(me));
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
          ConversationView.writeItems(
              g,
              entries,
              asides,
              kept,
              e -> state(e, receipts.getOrDefault(e.messageIdHex(), List.of()), others, me),
              ConversationView.pendingState(group.shown(), online, Waiting.NO),
              (out, e) -> out.writeStringField("from", e.peer()));
        });
  }

  /** The state code and the words for one message of the group's history. */
  private String[] state(HistoryEntry e, List<String> receivedBy, List<String> others, String me) {
    if (e.peer().isEmpty()) { // a change of the members
      return CHANGE;
    }
    if (e.direction() == HistoryEntry.Direction.IN) {
      return new String[] {"in", ""};
    }
    if (e.partial().isPresent()) { // it reached some members only (groups.md 7.1, item 9)
      return new String[] {
        "partial",
        e.partial().get().describe(me)
            + (receivedBy.isEmpty() ? "" : "; received by " + String.join(", ", receivedBy))
      };
    }
    if (!receivedBy.isEmpty()) {
      List<String> notYet = others.stream().filter(m -> !receivedBy.contains(m)).toList();
      return new String[] {
        "received",
        "received by "
            + String.join(", ", receivedBy)
            + (notYet.isEmpty() ? "" : "; not yet by " + String.join(", ", notYet))
      };
    }
    return switch (e.state()) {
      case PENDING -> new String[] {"sending", "sending"};
      case SENT, DELIVERED, RECEIVED ->
          messages.answer(e.messageIdHex()) == DeliveryStatus.DELIVERED
              ? new String[] {"sent", "sent to the members' devices"}
              : new String[] {"stored", "stored at the relay until the members are online"};
    };
  }
}
