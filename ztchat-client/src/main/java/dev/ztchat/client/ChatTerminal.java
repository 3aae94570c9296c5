package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.protocol.DeliveryStatus;
import java.io.IOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * The interactive chat: a JLine prompt with line editing and history; incoming messages and
 * security warnings are printed above the line being typed without breaking it.
 *
 * <p>Everything shown passes through {@link TerminalText}: text from the network cannot act on the
 * terminal, and the further lines of a multi-line message begin with {@link
 * TerminalText#CONTINUATION}. The line editor's history is kept in memory only: what is typed is
 * message text, and message text reaches the disk only encrypted (in the conversation history).
 */
public final class ChatTerminal implements ChatListener {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final String HELP =
      """
      Commands:
        /to NAME           talk to NAME (messages you type go to them)
        /who               who of those who wrote to you is online
        /fingerprint NAME  show the safety number to compare with NAME out of band
        /accept NAME       accept NAME's new keys after a key-change warning
        /help              this help
        /quit              leave (Ctrl-D works too)
      Anything else is sent, end-to-end encrypted, to the current peer.""";

  private final Terminal terminal;
  private final Map<String, KeyChangedException> pendingChanges = new ConcurrentHashMap<>();
  private LineReader reader;
  private ChatClient client;
  private String peer;

  public ChatTerminal(Terminal terminal) {
    this.terminal = requireNonNull(terminal, "terminal");
  }

  /** Runs the chat until /quit or end of input. */
  public void run(ChatClient chat) {
    this.client = chat;
    // No LineReader.HISTORY_FILE: the typed lines (message text) stay in memory.
    this.reader = LineReaderBuilder.builder().terminal(terminal).appName("ztchat").build();
    print("You are " + chat.me() + ". Type /help for commands, /to NAME to pick someone to talk to.");
    while (true) {
      String line;
      try {
        line = reader.readLine(prompt());
      } catch (UserInterruptException e) {
        continue;
      } catch (EndOfFileException e) {
        break;
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.equals("/quit") || line.equals("/exit")) {
        break;
      }
      try {
        handle(line);
      } catch (IOException e) {
        print("[error] " + e.getMessage());
      }
    }
  }

  private String prompt() {
    return peer == null ? client.me() + "> " : client.me() + " -> " + peer + "> ";
  }

  private void handle(String line) throws IOException {
    if (!line.startsWith("/")) {
      sendToPeer(line);
      return;
    }
    String[] parts = line.split("\\s+", 2);
    String arg = parts.length > 1 ? parts[1].strip() : "";
    switch (parts[0]) {
      case "/to" -> {
        if (!IdentityName.isValid(arg)) {
          print("usage: /to NAME (a user name such as bob)");
        } else {
          peer = arg;
          print("Now talking to " + peer + ".");
          showHistory(peer);
        }
      }
      case "/who" -> print("Online: " + String.join(", ", client.whoIsOnline()));
      case "/fingerprint" -> fingerprint(arg.isEmpty() ? peer : arg);
      case "/accept" -> accept(arg.isEmpty() ? peer : arg);
      case "/help" -> printBlock(HELP);
      default -> print("unknown command " + parts[0] + " (type /help)");
    }
  }

  private void sendToPeer(String text) throws IOException {
    if (peer == null) {
      print("Pick someone first: /to NAME (see /who for who is online).");
      return;
    }
    try {
      client.sendOrKeep(peer, text);
      if (!client.isConnected()) {
        print("[offline: kept on this device, sent when the connection is back]");
      }
    } catch (MessageTooLongException | IllegalArgumentException e) {
      print("[!] Not sent: " + e.getMessage());
    }
  }

  private void showHistory(String name) throws IOException {
    List<HistoryEntry> recent = client.history(name, 20);
    if (recent.isEmpty()) {
      return;
    }
    print("--- last " + recent.size() + " messages with " + name + " ---");
    for (HistoryEntry e : recent) {
      String who = e.direction() == HistoryEntry.Direction.IN ? name : "me";
      String mark = e.direction() == HistoryEntry.Direction.OUT && e.state() == HistoryEntry.State.DELIVERED ? "  (delivered)" : "";
      print("[" + TIME.format(e.sentAt()) + "] " + who + ": " + e.text() + mark);
    }
    print("---");
  }

  private void fingerprint(String name) throws IOException {
    if (name == null || !IdentityName.isValid(name)) {
      print("usage: /fingerprint NAME");
      return;
    }
    try {
      VerifiedContact c = client.lookUp(name);
      print("Safety number with " + name + ": " + client.safetyNumber(name));
      print("Key fingerprint of " + name + ": " + c.fingerprint());
      print("Compare the safety number with " + name + "; it is the same on both sides.");
    } catch (UntrustedContactException e) {
      print("[!] " + e.getMessage());
    }
  }

  private void accept(String name) throws IOException {
    KeyChangedException change = name == null ? null : pendingChanges.remove(name);
    if (change == null) {
      print("No key change is waiting for " + (name == null ? "anyone" : name) + ".");
      return;
    }
    client.acceptKeyChange(change.newKeys());
    print("Accepted the new keys of " + name + " (" + change.newFingerprint() + "). Waiting messages are sent now.");
  }

  /**
   * Shows one entry (a message, a notice): its further lines, if any, are indented with the
   * continuation marker so that nothing in it can pass for a separate entry.
   */
  private void print(String text) {
    show(TerminalText.forScreen(text));
  }

  /** Shows the client's own multi-line text (help), with any control escaped all the same. */
  private void printBlock(String text) {
    show(TerminalText.controlsEscaped(text));
  }

  private void show(String safe) {
    if (reader != null && reader.isReading()) {
      reader.printAbove(safe);
    } else {
      terminal.writer().println(safe);
      terminal.writer().flush();
    }
  }

  @Override
  public void onMessage(OpenedMessage m) {
    print("[" + TIME.format(m.timestamp()) + "] " + m.sender() + ": " + m.text());
  }

  @Override
  public void onDelivered(String peer, String messageIdHex) {
    print("  (" + peer + " received your message " + messageIdHex.substring(0, 8) + ")");
  }

  @Override
  public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
    print(Warnings.dropped(claimedSender, reason) + " - " + explanation);
  }

  @Override
  public void onKeyChanged(String contact, String pinnedFingerprint, String newFingerprint) {
    print("[!] WARNING: the keys of " + contact + " differ from the pinned ones (pinned " + pinnedFingerprint
        + ", now " + newFingerprint + "). Compare /fingerprint " + contact + " out of band.");
  }

  @Override
  public void onNotice(String notice) {
    print(notice);
  }

  @Override
  public void onConnectionState(ConnectionStatus status) {
    print("[connection: " + status.describe() + "]");
  }

  @Override
  public void onSendResult(String to, String messageIdHex, DeliveryStatus status) {
    switch (status) {
      case DELIVERED -> { }
      case QUEUED -> print("[the server stored your message and delivers it when " + to + " is online]");
      case FULL -> print("[!] " + to + "'s queue on the server is full: your message waits on this device and is retried");
      case UNKNOWN -> print("[!] Not sent: the server knows no user " + to);
    }
  }

  @Override
  public void onSendBlocked(KeyChangedException e) {
    pendingChanges.put(e.contact(), e);
    print("[!] WARNING: the keys of " + e.contact() + " have CHANGED. Nothing was sent to the new keys.");
    print("    pinned: " + e.pinnedFingerprint());
    print("    new:    " + e.newFingerprint());
    print("    Compare /fingerprint " + e.contact() + " with " + e.contact()
        + " in person or by phone, then /accept " + e.contact() + " (your messages wait until then).");
  }

  @Override
  public void onSendFailed(String to, String reason) {
    print("[!] Not sent to " + to + ": " + reason);
  }
}
