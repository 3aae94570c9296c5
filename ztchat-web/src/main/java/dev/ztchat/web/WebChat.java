package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.ConnectionState;
import dev.ztchat.client.ConnectionStatus;
import dev.ztchat.client.HistoryEntry;
import dev.ztchat.client.KeyChangedException;
import dev.ztchat.client.MessageTooLongException;
import dev.ztchat.client.PinnedKeys;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.client.VerifiedContact;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.pki.KeyFingerprint;
import dev.ztchat.core.protocol.DeliveryStatus;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge between the user's {@link ChatClient} and the open pages: it listens to the client,
 * keeps what the page shows beyond the library's state (unread counts, the relay's answer per
 * message, failures, waiting key changes) and pushes each change to every page as JSON; it carries
 * out the page's commands (open a conversation, send, accept new keys).
 *
 * <p>Threading: the client's callbacks and the pages' commands are all handed to one thread, so the
 * state here needs no locks and the pages see changes in the order they happened.
 *
 * <p>Texts go to the page as JSON strings and the page draws them with {@code textContent}; no text
 * is logged.
 */
public final class WebChat implements ChatListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebChat.class);
  private static final AttributeKey<String> OPEN = AttributeKey.valueOf("ztchat.web.open");

  /** How many messages of a conversation the page shows. */
  static final int HISTORY = 200;

  /** How much of the latest message the conversation list shows. */
  static final int PREVIEW_CHARS = 80;

  private final Clock clock;
  private final ChannelGroup pages = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "ztchat-web");
            t.setDaemon(true);
            return t;
          });
  private volatile ChatClient client;

  // State below: worker thread only.
  private final Map<String, Integer> unread = new HashMap<>();
  private final Map<String, DeliveryStatus> answers = new HashMap<>();
  private final Map<String, List<Failure>> failures = new HashMap<>();
  private final Map<String, KeyChangedException> changes = new HashMap<>();
  private final Map<String, String> marks = new HashMap<>();
  private final Set<String> started = new LinkedHashSet<>();
  private final Map<String, Integer> maxBytes = new HashMap<>();
  private ConnectionStatus connection =
      new ConnectionStatus(ConnectionState.CONNECTING, Duration.ZERO, null);
  private Instant connectionAt;

  /** A message that could not be sent, as the page shows it. */
  private record Failure(Instant at, String reason) {}

  public WebChat(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
    this.connectionAt = clock.instant();
  }

  /** Starts serving pages for {@code chat}; call once, right after the client was started. */
  public void attach(ChatClient chat) {
    this.client = requireNonNull(chat, "chat");
    run(this::broadcastAll);
  }

  // ---- the pages

  void pageOpened(Channel page) {
    pages.add(page);
    run(
        () -> {
          if (client == null) {
            return;
          }
          sendTo(page, hello());
          sendTo(page, connectionEvent());
          sendTo(page, conversationsEvent());
        });
  }

  void command(Channel page, String text) {
    Map<String, String> c = PageEvents.command(text);
    if (c == null || c.get("t") == null) {
      run(() -> sendTo(page, error("", "The page sent something this version does not know.")));
      return;
    }
    String peer = c.getOrDefault("peer", "");
    run(
        () -> {
          if (client == null) {
            return;
          }
          if (!IdentityName.isValid(peer)) {
            sendTo(
                page, error(peer, "Not a user name: " + quoted(peer) + " (names are lowercase)."));
            return;
          }
          try {
            switch (c.get("t")) {
              case "open" -> open(page, peer);
              case "send" -> send(page, peer, c.getOrDefault("text", ""));
              case "accept" -> accept(page, peer);
              case "contact" -> sendTo(page, contactEvent(peer));
              default -> sendTo(page, error(peer, "Unknown command."));
            }
          } catch (IOException | RuntimeException e) {
            sendTo(page, error(peer, "Could not do that: " + e.getMessage()));
          }
        });
  }

  private void open(Channel page, String peer) throws IOException {
    page.attr(OPEN).set(peer);
    unread.remove(peer);
    if (!client.conversations().contains(peer)) {
      started.add(peer);
    }
    sendTo(page, historyEvent(peer));
    broadcast(conversationsEvent());
    sendTo(page, contactEvent(peer));
  }

  private void send(Channel page, String peer, String text) throws IOException {
    if (text.isBlank()) {
      return;
    }
    try {
      client.sendOrKeep(peer, text);
    } catch (MessageTooLongException e) {
      sendTo(page, error(peer, "Not sent: " + e.getMessage()));
      return;
    } catch (IllegalArgumentException e) {
      sendTo(page, error(peer, "Not sent: " + e.getMessage()));
      return;
    }
    started.add(peer);
    refresh(peer);
  }

  private void accept(Channel page, String peer) throws IOException {
    KeyChangedException change = changes.remove(peer);
    if (change == null) {
      try {
        client.checkContact(peer);
      } catch (KeyChangedException e) {
        change = e;
      } catch (UntrustedContactException e) {
        sendTo(page, error(peer, "Cannot accept: " + e.getMessage()));
        return;
      }
    }
    if (change == null) {
      sendTo(page, error(peer, "No key change is waiting for " + peer + "."));
      return;
    }
    client.acceptKeyChange(change.newKeys());
    marks.remove(peer);
    broadcast(notice("Accepted the new keys of " + peer + ". Waiting messages are sent now."));
    broadcast(contactEvent(peer));
    refresh(peer);
  }

  // ---- the client's callbacks (receive thread): handed to the worker

  @Override
  public void onMessage(OpenedMessage m) {
    run(
        () -> {
          if (!isOpenSomewhere(m.sender())) {
            unread.merge(m.sender(), 1, Integer::sum);
          }
          refresh(m.sender());
        });
  }

  @Override
  public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
    run(
        () -> {
          if (claimedSender != null && reason == RejectionReason.SENDER_REVOKED) {
            marks.put(claimedSender, "revoked");
            broadcast(conversationsEvent());
          }
          broadcast(
              notice(
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
          marks.put(contact, "changed");
          broadcast(contactEvent(contact));
          broadcast(conversationsEvent());
        });
  }

  @Override
  public void onDelivered(String peer, String messageIdHex) {
    run(() -> refresh(peer));
  }

  @Override
  public void onNotice(String notice) {
    run(() -> broadcast(notice(notice)));
  }

  @Override
  public void onConnectionState(ConnectionStatus status) {
    run(
        () -> {
          connection = status;
          connectionAt = clock.instant();
          maxBytes.clear(); // the limit follows the frame size the relay announces
          broadcast(connectionEvent());
          refreshOpen();
        });
  }

  @Override
  public void onSendResult(String peer, String messageIdHex, DeliveryStatus status) {
    run(
        () -> {
          answers.put(messageIdHex, status);
          refresh(peer);
        });
  }

  @Override
  public void onSendBlocked(KeyChangedException change) {
    run(
        () -> {
          changes.put(change.contact(), change);
          marks.put(change.contact(), "changed");
          broadcast(contactEvent(change.contact()));
          refresh(change.contact());
        });
  }

  @Override
  public void onSendFailed(String peer, String reason) {
    run(
        () -> {
          failures
              .computeIfAbsent(peer, p -> new ArrayList<>())
              .add(new Failure(clock.instant(), reason));
          String mark = markOf(reason);
          if (mark != null) {
            marks.put(peer, mark);
            broadcast(contactEvent(peer));
          }
          refresh(peer);
        });
  }

  // ---- what the pages are sent

  private void broadcastAll() {
    broadcast(hello());
    broadcast(connectionEvent());
    broadcast(conversationsEvent());
  }

  /** The conversation list and the history of {@code peer} wherever it is open. */
  private void refresh(String peer) {
    broadcast(conversationsEvent());
    String history = null;
    for (Channel page : pages) {
      if (peer.equals(page.attr(OPEN).get())) {
        history = history == null ? historyEvent(peer) : history;
        sendTo(page, history);
      }
    }
  }

  private void refreshOpen() {
    Set<String> open = new LinkedHashSet<>();
    for (Channel page : pages) {
      String p = page.attr(OPEN).get();
      if (p != null) {
        open.add(p);
      }
    }
    open.forEach(this::refresh);
  }

  private boolean isOpenSomewhere(String peer) {
    for (Channel page : pages) {
      if (peer.equals(page.attr(OPEN).get())) {
        return true;
      }
    }
    return false;
  }

  private String hello() {
    ChatClient c = client;
    return PageEvents.event("hello", g -> g.writeStringField("me", c == null ? "" : c.me()));
  }

  private String connectionEvent() {
    ConnectionStatus s = connection;
    String state =
        switch (s.state()) {
          case CONNECTED -> "online";
          case CONNECTING -> "connecting";
          case DISCONNECTED -> "reconnecting";
          case REFUSED -> "refused";
        };
    long retryAt = connectionAt.plus(s.retryIn()).toEpochMilli();
    return PageEvents.event(
        "connection",
        g -> {
          g.writeStringField("state", state);
          g.writeNumberField("retryAt", retryAt);
          g.writeNumberField("now", clock.millis());
          g.writeStringField("reason", s.reason() == null ? "" : s.reason());
        });
  }

  private String conversationsEvent() {
    Set<String> peers = new LinkedHashSet<>();
    List<String> stored;
    try {
      stored = client.conversations();
    } catch (IOException e) {
      return notice("Cannot read the conversations: " + e.getMessage());
    }
    List<String> fresh = new ArrayList<>(started);
    java.util.Collections.reverse(fresh);
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
            g.writeStringField("mark", marks.getOrDefault(peer, ""));
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

  private static String preview(HistoryEntry e) {
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

  private String historyEvent(String peer) {
    List<HistoryEntry> entries;
    List<String> waiting;
    try {
      entries = client.history(peer, HISTORY);
      waiting = client.waiting(peer);
    } catch (IOException e) {
      return error(peer, "Cannot read the history with " + peer + ": " + e.getMessage());
    }
    boolean online = connection.state() == ConnectionState.CONNECTED;
    boolean blocked = changes.containsKey(peer);
    List<Failure> failed = failures.getOrDefault(peer, List.of());
    int limit = maxBytes.computeIfAbsent(peer, p -> client.maxTextBytes(p));
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
            String[] state = state(peer, e, online, blocked);
            g.writeStringField("state", state[0]);
            g.writeStringField("label", state[1]);
            g.writeStringField("text", e.text());
            g.writeEndObject();
          }
          while (f < failed.size()) {
            writeFailure(g, failed.get(f++));
          }
          for (String text : waiting) {
            g.writeStartObject();
            g.writeStringField("dir", "out");
            String[] state = pendingState(peer, online, blocked);
            g.writeStringField("state", state[0]);
            g.writeStringField("label", state[1]);
            g.writeStringField("text", text);
            g.writeEndObject();
          }
          g.writeEndArray();
        });
  }

  private static void writeFailure(com.fasterxml.jackson.core.JsonGenerator g, Failure f)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("dir", "out");
    g.writeNumberField("at", f.at().toEpochMilli());
    g.writeStringField("state", "failed");
    g.writeStringField("label", "not sent: " + f.reason());
    g.writeStringField("text", "");
    g.writeEndObject();
  }

  /** The state code and the words for one message of the history. */
  private String[] state(String peer, HistoryEntry e, boolean online, boolean blocked) {
    if (e.direction() == HistoryEntry.Direction.IN) {
      return new String[] {"in", ""};
    }
    DeliveryStatus answer = answers.get(e.messageIdHex());
    return switch (e.state()) {
      case PENDING ->
          answer == DeliveryStatus.UNKNOWN
              ? new String[] {"failed", "not sent: the server knows no user " + peer}
              : pendingState(peer, online, blocked);
      case SENT ->
          answer == DeliveryStatus.DELIVERED
              ? new String[] {"sent", "sent to " + peer + "'s device"}
              : new String[] {"stored", "stored at the relay until " + peer + " is online"};
      case DELIVERED -> new String[] {"received", "received by " + peer};
      case RECEIVED -> new String[] {"in", ""};
    };
  }

  private static String[] pendingState(String peer, boolean online, boolean blocked) {
    if (blocked) {
      return new String[] {
        "blocked", "waiting: the keys of " + peer + " changed; accept them to send"
      };
    }
    return online
        ? new String[] {"sending", "sending"}
        : new String[] {"kept", "kept on this device (offline); sent when the connection is back"};
  }

  /**
   * The contact's safety number, fingerprints and standing: verified (or pinned on first use),
   * changed (with both fingerprints, to accept), revoked or renewed; offline, the pinned keys.
   */
  private String contactEvent(String peer) {
    String status;
    String detail = "";
    String safety = "";
    String signing = "";
    String encryption = "";
    String pinned = "";
    String changedTo = "";
    Optional<PinnedKeys> pin;
    try {
      pin = client.pinnedKeys(peer);
    } catch (IOException e) {
      pin = Optional.empty();
    }
    KeyChangedException change = changes.get(peer);
    if (client.isConnected()) {
      try {
        VerifiedContact c = client.checkContact(peer);
        status = "verified";
        signing = KeyFingerprint.of(c.signing());
        encryption = KeyFingerprint.of(c.encryption());
        safety = client.safetyNumber(peer);
        marks.remove(peer);
      } catch (KeyChangedException e) {
        changes.put(peer, e);
        change = e;
        status = "changed";
      } catch (UntrustedContactException e) {
        String mark = markOf(e.getMessage());
        status = mark == null ? "untrusted" : mark;
        detail = e.getMessage();
        if (mark != null) {
          marks.put(peer, mark);
        }
      } catch (IOException e) {
        status = pin.isPresent() ? "pinned" : "unknown";
        detail = "Could not reach the server: " + e.getMessage();
      }
    } else {
      status = pin.isPresent() ? "pinned" : "unknown";
      detail = "Offline: these are the keys pinned on this device; the server may hold newer ones.";
    }
    if (change != null) {
      status = "changed";
      pinned = change.pinnedFingerprint();
      changedTo = change.newFingerprint();
      marks.put(peer, "changed");
    }
    if (safety.isEmpty() && pin.isPresent() && !status.equals("changed")) {
      safety = pin.get().safetyNumber();
      signing = pin.get().signingFingerprint();
      encryption = pin.get().encryptionFingerprint();
    }
    String st = status;
    String dt = detail;
    String sn = safety;
    String sg = signing;
    String en = encryption;
    String pn = pinned;
    String ch = changedTo;
    return PageEvents.event(
        "contact",
        g -> {
          g.writeStringField("peer", peer);
          g.writeStringField("status", st);
          g.writeStringField("detail", dt);
          g.writeStringField("safetyNumber", sn);
          g.writeStringField("signing", sg);
          g.writeStringField("encryption", en);
          g.writeStringField("pinned", pn);
          g.writeStringField("new", ch);
        });
  }

  /** "revoked" or "renewed" when {@code reason} says the contact's certificate was; else null. */
  private static String markOf(String reason) {
    if (reason == null) {
      return null;
    }
    if (reason.contains("were renewed by the CA")) {
      return "renewed";
    }
    if (reason.contains("was revoked by the CA")) {
      return "revoked";
    }
    return null;
  }

  private static String notice(String text) {
    return PageEvents.event("notice", g -> g.writeStringField("text", text));
  }

  private static String error(String peer, String text) {
    return PageEvents.event(
        "error",
        g -> {
          g.writeStringField("peer", peer);
          g.writeStringField("text", text);
        });
  }

  private static String quoted(String s) {
    return "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
  }

  private void broadcast(String event) {
    pages.writeAndFlush(new TextWebSocketFrame(event));
  }

  private static void sendTo(Channel page, String event) {
    page.writeAndFlush(new TextWebSocketFrame(event));
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
