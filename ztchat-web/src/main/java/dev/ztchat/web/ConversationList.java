package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.HistoryEntry;
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
 * The conversation list: every conversation, the ones started here first, each with its unread
 * count, its contact's mark and its latest message as a one-line preview. Unread counts are kept
 * across restarts by {@link ReadMarkers}. Not thread-safe: used by {@link WebChat}'s one thread.
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
      List<HistoryEntry> recent = client.history(peer, WebChat.HISTORY);
      if (firstRun) {
        markers.seen(peer, recent);
      } else {
        int n = markers.unread(peer, recent);
        if (n > 0) {
          unread.put(peer, n);
        }
      }
    }
    if (firstRun) {
      markers.save();
    }
  }

  /** The user now sees the conversation with {@code peer}, up to its latest message. */
  void seen(ChatClient client, String peer) throws IOException {
    unread.remove(peer);
    if (markers != null) {
      markers.seen(peer, client.history(peer, 1));
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
    try {
      stored = client.conversations();
    } catch (IOException e) {
      return PageEvents.notice("Cannot read the conversations: " + e.getMessage());
    }
    List<String> fresh = new ArrayList<>(started);
    Collections.reverse(fresh);
    peers.addAll(fresh);
    peers.addAll(stored);
    peers.addAll(unread.keySet());
    return PageEvents.event(
        "conversations",
        g -> {
          g.writeArrayFieldStart("items");
          for (String peer : peers) {
            g.writeStartObject();
            g.writeStringField("peer", peer);
            g.writeNumberField("unread", unread.getOrDefault(peer, 0));
            g.writeStringField("mark", contacts.markOf(peer));
            List<HistoryEntry> last = client.history(peer, 1);
            if (!last.isEmpty()) {
              HistoryEntry e = last.getFirst();
              g.writeStringField("preview", preview(e));
              g.writeNumberField("at", e.sentAt().toEpochMilli());
              g.writeStringField("dir", e.direction() == HistoryEntry.Direction.IN ? "in" : "out");
            }
            g.writeEndObject();
          }
          g.writeEndArray();
        });
  }

  static String preview(HistoryEntry e) {
    String oneLine = e.text().strip().replaceAll("\\s+", " ");
    if (oneLine.length() > PREVIEW_CHARS) {
      int cut = PREVIEW_CHARS;
      if (Character.isHighSurrogate(oneLine.charAt(cut - 1))) {
        cut--;
      }
      oneLine = oneLine.substring(0, cut) + "…";
    }
    return (e.direction() == HistoryEntry.Direction.OUT ? "You: " : "") + oneLine;
  }
}
