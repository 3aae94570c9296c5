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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An open conversation as the page shows it: its history, then the messages waiting in the outbox,
 * each with its delivery state in words (sending, kept offline, waiting for a decision, stored at
 * the relay, received, failed with the reason), and the longest text that fits. Keeps what the
 * client library does not: the relay's answer per message and the messages that failed. Not
 * thread-safe: used by {@link WebChat}'s one thread.
 */
final class ConversationView {
  private final Clock clock;
  private final Map<String, DeliveryStatus> answers = new HashMap<>();
  private final Map<String, List<Failure>> failures = new HashMap<>();
  private final Map<String, Integer> maxBytes = new HashMap<>();

  /** A message that could not be sent, as the page shows it. */
  private record Failure(Instant at, String reason) {}

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
        .add(new Failure(clock.instant(), reason));
  }

  /** The relay may announce another frame size on the next connection. */
  void forgetLimits() {
    maxBytes.clear();
  }

  String event(ChatClient client, String peer, boolean online, Waiting waiting) {
    List<HistoryEntry> entries;
    List<String> kept;
    try {
      entries = client.history(peer, WebChat.HISTORY);
      kept = client.waiting(peer);
    } catch (IOException e) {
      return PageEvents.error(peer, "Cannot read the history with " + peer + ": " + e.getMessage());
    }
    List<Failure> failed = failures.getOrDefault(peer, List.of());
    int limit = maxBytes.computeIfAbsent(peer, client::maxTextBytes);
    return PageEvents.event(
        "history",
        g -> {
          g.writeStringField("peer", peer);
          g.writeNumberField("maxBytes", limit);
          g.writeArrayFieldStart("items");
          int f = 0;
          for (HistoryEntry e : entries) {
            while (f < failed.size() && failed.get(f).at().isBefore(e.sentAt())) {
              writeFailure(g, failed.get(f++));
            }
            g.writeStartObject();
            g.writeStringField("id", e.messageIdHex());
            g.writeStringField("dir", e.direction() == HistoryEntry.Direction.IN ? "in" : "out");
            g.writeNumberField("at", e.sentAt().toEpochMilli());
            String[] state = state(peer, e, online, waiting);
            g.writeStringField("state", state[0]);
            g.writeStringField("label", state[1]);
            g.writeStringField("text", e.text());
            g.writeEndObject();
          }
          while (f < failed.size()) {
            writeFailure(g, failed.get(f++));
          }
          for (String text : kept) {
            g.writeStartObject();
            g.writeStringField("dir", "out");
            String[] state = pendingState(peer, online, waiting);
            g.writeStringField("state", state[0]);
            g.writeStringField("label", state[1]);
            g.writeStringField("text", text);
            g.writeEndObject();
          }
          g.writeEndArray();
        });
  }

  private static void writeFailure(JsonGenerator g, Failure f) throws IOException {
    g.writeStartObject();
    g.writeStringField("dir", "out");
    g.writeNumberField("at", f.at().toEpochMilli());
    g.writeStringField("state", "failed");
    g.writeStringField("label", "not sent: " + f.reason());
    g.writeStringField("text", "");
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

  private static String[] pendingState(String peer, boolean online, Waiting waiting) {
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
