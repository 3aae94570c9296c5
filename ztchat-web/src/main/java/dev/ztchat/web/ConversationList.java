package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.HistoryEntry;
import dev.ztchat.client.UnknownGroupException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The conversation list: every conversation with a person or a group ({@code #name}, the groups
 * this device knows even before their first message), the ones started here first, each with its
 * unread count, its contact's mark and its latest message as a one-line preview. Unread counts are
 * kept across restarts by {@link ReadMarkers}. Not thread-safe: used by the {@link PageWorker}'s
 * thread.
 */
final class ConversationList {
  /** How much of the latest message the conversation list shows. */
  static final int PREVIEW_CHARS = 80;

  private final Path stateDir;
  private final Map<String, Integer> unread = new HashMap<>();
  private final Set<String> started = new LinkedHashSet<>();
  private ReadMarkers markers;

  ConversationList(Path stateDir) {
    this.stateDir = requireNonNull(stateDir, "stateDir");
  }

  /**
   * Reads the unread counts kept from the last run. On the first run everything already received
   * counts as read.
   */
  void load(ChatClient client) throws IOException {
    markers = ReadMarkers.in(stateDir);
    boolean firstRun = !markers.existed();
    for (String peer : client.conversations()) {
      if (!GroupCommands.isGroup(peer)) {
        load(peer, peer, client.history(peer, PageUpdates.HISTORY), firstRun);
      }
    }
    for (GroupView g : client.groups()) {
      load(g.shown(), markerKey(g), groupHistory(client, g, PageUpdates.HISTORY), firstRun);
    }
    if (firstRun) {
      markers.save();
    }
  }

  private void load(String conversation, String key, List<HistoryEntry> recent, boolean firstRun)
      throws IOException {
    if (firstRun) {
      markers.seen(key, recent);
    } else {
      int n = markers.unread(key, recent);
      if (n > 0) {
        unread.put(conversation, n);
      }
    }
  }

  /**
   * The user now sees the conversation with {@code peer} (a person, or a group as {@code #name}),
   * up to its latest message.
   */
  void seen(ChatClient client, String peer) throws IOException, UnknownGroupException {
    unread.remove(peer);
    if (markers == null) {
      return;
    }
    if (GroupCommands.isGroup(peer)) {
      GroupView g = client.group(peer);
      markers.seen(markerKey(g), groupHistory(client, g, 1));
    } else {
      markers.seen(peer, client.history(peer, 1));
    }
  }

  /** A group's read marker is kept under its id, which stays when its shown name does not. */
  private static String markerKey(GroupView g) {
    return "#" + g.idHex();
  }

  private static List<HistoryEntry> groupHistory(ChatClient client, GroupView g, int limit)
      throws IOException {
    try {
      return client.groupHistory(g.idHex(), limit);
    } catch (UnknownGroupException e) {
      return List.of(); // forgotten meanwhile
    }
  }

  /** The group's latest message or change of its members (a change is never unread). */
  private static List<HistoryEntry> latestLine(ChatClient client, GroupView g) throws IOException {
    try {
      return client.groupConversation(g.idHex(), 1);
    } catch (UnknownGroupException e) {
      return List.of(); // forgotten meanwhile
    }
  }

  /** A message from {@code peer} arrived while no page showed their conversation. */
  void unseen(String peer) {
    unread.merge(peer, 1, Integer::sum);
  }

  /** A conversation started here, listed first even before it has a message. */
  void started(String peer) {
    started.add(peer);
  }

  String event(ChatClient client, ContactStandings contacts) {
    Set<String> peers = new LinkedHashSet<>();
    List<String> stored;
    Map<String, GroupView> groups = new HashMap<>();
    try {
      stored = client.conversations();
      for (GroupView g : client.groups()) {
        groups.put(g.shown(), g);
        groups.put(markerKey(g), g);
      }
    } catch (IOException e) {
      return PageEvents.notice("Cannot read the conversations: " + e.getMessage());
    }
    List<String> fresh = new ArrayList<>(started);
    Collections.reverse(fresh);
    peers.addAll(fresh);
    for (String peer : stored) {
      if (!GroupCommands.isGroup(peer)) {
        peers.add(peer);
      } else if (groups.containsKey(peer)) {
        peers.add(groups.get(peer).shown()); // stored under the group's id
      }
    }
    groups.values().forEach(g -> peers.add(g.shown())); // groups without a message yet
    peers.addAll(unread.keySet());
    return PageEvents.event(
        "conversations",
        g -> {
          g.writeArrayFieldStart("items");
          for (String peer : peers) {
            GroupView group = groups.get(peer);
            g.writeStartObject();
            g.writeStringField("peer", peer);
            g.writeNumberField("unread", unread.getOrDefault(peer, 0));
            g.writeStringField(
                "mark", group == null ? contacts.markOf(peer) : group.removed() ? "left" : "");
            g.writeBooleanField("group", group != null);
            List<HistoryEntry> last =
                group == null ? client.history(peer, 1) : latestLine(client, group);
            if (!last.isEmpty()) {
              HistoryEntry e = last.getFirst();
              g.writeStringField("preview", preview(e, group != null));
              g.writeNumberField("at", e.sentAt().toEpochMilli());
              g.writeStringField("dir", e.direction() == HistoryEntry.Direction.IN ? "in" : "out");
            }
            g.writeEndObject();
          }
          g.writeEndArray();
        });
  }

  /**
   * The latest message in one line: {@code You: } before mine, and in a group the sender's name
   * before theirs; a change of a group's members (no sender) as it is worded.
   */
  static String preview(HistoryEntry e, boolean group) {
    String oneLine = e.text().strip().replaceAll("\\s+", " ");
    if (oneLine.length() > PREVIEW_CHARS) {
      int cut = PREVIEW_CHARS;
      if (Character.isHighSurrogate(oneLine.charAt(cut - 1))) {
        cut--;
      }
      oneLine = oneLine.substring(0, cut) + "…";
    }
    String from =
        e.direction() == HistoryEntry.Direction.OUT
            ? "You: "
            : group && !e.peer().isEmpty() ? e.peer() + ": " : "";
    return from + oneLine;
  }
}
