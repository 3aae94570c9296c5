package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ztchat.client.ChatClient;
import dev.ztchat.client.HistoryEntry;
import dev.ztchat.core.protocol.DeliveryStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An open conversation as the page shows it: its history, then the messages waiting in the outbox,
 * each with its delivery state in words (sending, kept offline, waiting for a decision, stored at
 * the relay, received, failed with the reason), and the longest text that fits. Keeps what the
 * client library does not: the relay's answer per message and the messages that failed. Not
 * thread-safe: used by the {@link PageWorker}'s thread.
 */
final class ConversationView {
  private final Clock clock;
  private final Map<String, DeliveryStatus> answers = new HashMap<>();
  private final Map<String, List<Aside>> failures = new HashMap<>();
  private final Map<String, Integer> maxBytes = new HashMap<>();

  /**
   * A line of a conversation that is not a message (a failure, a change of a group's members), at
   * its place in time among the messages.
   */
  record Aside(Instant at, String state, String label, String text) {}

  /** The state code and the words the page shows for one message of a history. */
  interface States {
    String[] of(HistoryEntry e);
  }

  /** More fields of one message of a history (its sender in a group). */
  interface Fields {
    void write(JsonGenerator g, HistoryEntry e) throws IOException;
  }

  /** Why messages to a peer wait, besides being offline. */
  enum Waiting {
    NO,
    FOR_ACCEPT,
    FOR_RENEWED_KEYS
  }

  ConversationView(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  void answered(String messageIdHex, DeliveryStatus status) {
    answers.put(messageIdHex, status);
  }

  void failed(String peer, String reason) {
    failures
        .computeIfAbsent(peer, p -> new ArrayList<>())
        .add(new Aside(clock.instant(), "failed", "not sent: " + reason, ""));
  }

  /** The relay may announce another frame size on the next connection. */
  void forgetLimits() {
    maxBytes.clear();
  }

  String event(ChatClient client, String peer, boolean online, Waiting waiting) {
    List<HistoryEntry> entries;
    List<String> kept;
    try {
      entries = client.history(peer, PageUpdates.HISTORY);
      kept = client.waiting(peer);
    } catch (IOException e) {
      return PageEvents.error(peer, "Cannot read the history with " + peer + ": " + e.getMessage());
    }
    int limit = maxBytes(client, peer);
    return PageEvents.event(
        "history",
        g -> {
          g.writeStringField("peer", peer);
          g.writeNumberField("maxBytes", limit);
          writeItems(
              g,
              entries,
              failures(peer),
              kept,
              e -> state(peer, e, online, waiting),
              pendingState(peer, online, waiting),
              (out, e) -> {});
        });
  }

  /** The longest text that fits in one message to {@code peer}, as last computed. */
  int maxBytes(ChatClient client, String peer) {
    return maxBytes.computeIfAbsent(peer, client::maxTextBytes);
  }

  /** The relay's answer to my message {@code messageIdHex}; null if none came in this run. */
  DeliveryStatus answer(String messageIdHex) {
    return answers.get(messageIdHex);
  }

  /** The messages to {@code peer} that could not be sent in this run, oldest first. */
  List<Aside> failures(String peer) {
    return failures.getOrDefault(peer, List.of());
  }

  /**
   * Writes the items of a history: its {@code entries}, the {@code asides} each at its place in
   * time, then the texts {@code kept} in the outbox (shown {@code pending}).
   */
  static void writeItems(
      JsonGenerator g,
      List<HistoryEntry> entries,
      List<Aside> asides,
      List<String> kept,
      States states,
      String[] pending,
      Fields fields)
      throws IOException {
    List<Aside> sorted = new ArrayList<>(asides);
    sorted.sort(Comparator.comparing(Aside::at));
    g.writeArrayFieldStart("items");
    int a = 0;
    for (HistoryEntry e : entries) {
      while (a < sorted.size() && sorted.get(a).at().isBefore(e.sentAt())) {
        writeAside(g, sorted.get(a++));
      }
      g.writeStartObject();
      g.writeStringField("id", e.messageIdHex());
      g.writeStringField("dir", e.direction() == HistoryEntry.Direction.IN ? "in" : "out");
      g.writeNumberField("at", e.sentAt().toEpochMilli());
      String[] state = states.of(e);
      g.writeStringField("state", state[0]);
      g.writeStringField("label", state[1]);
      g.writeStringField("text", e.text());
      fields.write(g, e);
      g.writeEndObject();
    }
    while (a < sorted.size()) {
      writeAside(g, sorted.get(a++));
    }
    for (String text : kept) {
      g.writeStartObject();
      g.writeStringField("dir", "out");
      g.writeStringField("state", pending[0]);
      g.writeStringField("label", pending[1]);
      g.writeStringField("text", text);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeAside(JsonGenerator g, Aside a) throws IOException {
    g.writeStartObject();
    g.writeStringField("dir", a.state().equals("system") ? "system" : "out");
    g.writeNumberField("at", a.at().toEpochMilli());
    g.writeStringField("state", a.state());
    g.writeStringField("label", a.label());
    g.writeStringField("text", a.text());
    g.writeEndObject();
  }

  /** The state code and the words for one message of the history. */
  private String[] state(String peer, HistoryEntry e, boolean online, Waiting waiting) {
    if (e.direction() == HistoryEntry.Direction.IN) {
      return new String[] {"in", ""};
    }
    DeliveryStatus answer = answers.get(e.messageIdHex());
    return switch (e.state()) {
      case PENDING ->
          answer == DeliveryStatus.UNKNOWN
              ? new String[] {"failed", "not sent: the server knows no user " + peer}
              : pendingState(peer, online, waiting);
      case SENT ->
          answer == DeliveryStatus.DELIVERED
              ? new String[] {"sent", "sent to " + peer + "'s device"}
              : new String[] {"stored", "stored at the relay until " + peer + " is online"};
      case DELIVERED -> new String[] {"received", "received by " + peer};
      case RECEIVED -> new String[] {"in", ""};
    };
  }

  static String[] pendingState(String peer, boolean online, Waiting waiting) {
    return switch (waiting) {
      case FOR_ACCEPT ->
          new String[] {
            "blocked", "waiting: the keys of " + peer + " changed; accept them to send"
          };
      case FOR_RENEWED_KEYS ->
          new String[] {
            "renewal",
            "kept on this device: the keys of "
                + peer
                + " were renewed by the CA; sent once "
                + peer
                + " has connected with the new keys"
          };
      case NO ->
          online
              ? new String[] {"sending", "sending"}
              : new String[] {
                "kept", "kept on this device (offline); sent when the connection is back"
              };
    };
  }
}
