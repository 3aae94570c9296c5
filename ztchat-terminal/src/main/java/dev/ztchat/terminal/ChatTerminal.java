package dev.ztchat.terminal;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.ConnectionState;
import dev.ztchat.client.ConnectionStatus;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.HistoryEntry;
import dev.ztchat.client.KeyChangedException;
import dev.ztchat.client.MessageTooLongException;
import dev.ztchat.client.PinnedKeys;
import dev.ztchat.client.UnknownGroupException;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.client.VerifiedContact;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.group.GroupChangeRefusedException;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.pki.KeyFingerprint;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.remedy.Remedy;
import java.io.IOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.LineReaderImpl;
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
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final String HELP =
      """
      Commands:
        /to NAME           talk to NAME (messages you type go to them); names are lowercase
        /to #GROUP         talk to a group (see /group list)
        /group create NAME a,b,c   create group #NAME with members a, b and c (you are its admin)
        /group add NAME x          add x to #NAME (admins only)
        /group remove NAME x       remove x from #NAME (admins only)
        /group leave NAME          leave #NAME
        /group list                the groups on this device, their members (* = admin)
        /r [TEXT]          reply: talk to whoever wrote last (and send TEXT to them)
        /who               who of those who wrote to you is online (needs the connection)
        /fingerprint NAME  show the safety number to compare with NAME out of band
                           (offline: from the keys pinned on this device)
        /devices           this device's fingerprint (a contact compares it with you before
                           accepting it as your new device) and your other devices
        /devices NAME      NAME's devices: name, fingerprint, held or not
        /accept NAME       accept NAME's new keys or new device after a warning
        /help              this help
        /quit              leave (Ctrl-D works too)
      Anything else is sent, end-to-end encrypted, to the current peer. Until you pick someone,
      the first message that arrives picks its sender.\
      """;

  /** How many outgoing messages back a receipt is looked up to say which message it confirms. */
  private static final int RECEIPT_LOOKBACK = 200;

  /** How much of a message a receipt quotes. */
  private static final int QUOTE_WORDS = 5;

  private static final int QUOTE_CHARS = 40;
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());

  private final Terminal terminal;
  private final Map<String, KeyChangedException> pendingChanges = new ConcurrentHashMap<>();
  private LineReader reader;
  private ChatClient client;

  /**
   * The conversation: set by the user, or by the first message when none was chosen (receive
   * thread).
   */
  private final AtomicReference<String> peer = new AtomicReference<>();

  private volatile String lastSender;

  public ChatTerminal(Terminal terminal) {
    this.terminal = requireNonNull(terminal, "terminal");
  }

  /** Runs the chat until /quit or end of input. */
  public void run(ChatClient chat) {
    this.client = chat;
    // No LineReader.HISTORY_FILE: the typed lines (message text) stay in memory.
    this.reader = LineReaderBuilder.builder().terminal(terminal).appName("ztchat").build();
    print(
        "You are " + chat.me() + ". Type /help for commands, /to NAME to pick someone to talk to.");
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
    String p = peer.get();
    return p == null ? client.me() + "> " : client.me() + " -> " + p + "> ";
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
        if (arg.startsWith("#")) {
          talkToGroup(arg);
        } else {
          talkTo(arg);
        }
      }
      case "/group" -> group(arg);
      case "/r" -> reply(arg);
      case "/who" -> who();
      case "/fingerprint" -> fingerprint(arg.isEmpty() ? peer.get() : arg);
      case "/devices" -> devices(arg);
      case "/accept" -> accept(arg.isEmpty() ? peer.get() : arg);
      case "/help" -> printBlock(HELP);
      default -> print("unknown command " + parts[0] + " (type /help)");
    }
  }

  /**
   * Chooses {@code name} once it is a valid name and, when connected, one the relay knows; says
   * what is wrong otherwise and keeps the current conversation.
   */
  private void talkTo(String name) throws IOException {
    if (name.isEmpty()) {
      print("usage: /to NAME (a user name such as bob)");
      return;
    }
    if (!isValidName(name, "/to")) {
      return;
    }
    String unchecked = "";
    if (client.isConnected()) {
      try {
        client.lookUp(name);
      } catch (UntrustedContactException e) {
        String current = peer.get();
        print(
            "[!] Cannot talk to "
                + name
                + ": "
                + RemedyText.explain(e)
                + "."
                + (current == null ? "" : " Still talking to " + current + "."));
        return;
      } catch (IOException e) {
        unchecked = " (could not check that the server knows " + name + ": " + e.getMessage() + ")";
      }
    } else {
      unchecked =
          " (offline: whether the server knows " + name + " is checked when the message is sent)";
    }
    peer.set(name);
    print("Now talking to " + name + "." + unchecked);
    showHistory(name);
  }

  /** Chooses the group {@code ref} names ({@code #team}, {@code #team~2}) as the conversation. */
  private void talkToGroup(String ref) throws IOException {
    GroupView g;
    try {
      g = client.group(ref);
    } catch (UnknownGroupException e) {
      print("[!] " + e.getMessage());
      return;
    }
    if (g.removed()) {
      print("[!] You are no longer a member of " + g.shown() + ": nothing can be sent to it.");
      return;
    }
    peer.set(g.shown());
    print("Now talking to " + g.shown() + " (" + String.join(", ", g.members()) + ").");
    List<HistoryEntry> recent;
    try {
      recent = client.groupHistory(g.idHex(), 20);
    } catch (UnknownGroupException e) {
      return;
    }
    for (HistoryEntry e : recent) {
      String who = e.direction() == HistoryEntry.Direction.IN ? e.peer() : "me";
      String mark = e.partial().map(p -> "  (" + p.describe(client.me()) + ")").orElse("");
      print("[" + TIME.format(e.sentAt()) + "] " + g.shown() + " " + who + ": " + e.text() + mark);
    }
  }

  /** {@code /group create|add|remove|leave|list ...}. */
  private void group(String arg) throws IOException {
    String[] w = arg.isEmpty() ? new String[0] : arg.split("\\s+");
    String usage =
        "usage: /group create NAME a,b,c | /group add NAME USER | /group remove NAME USER |"
            + " /group leave NAME | /group list";
    if (w.length == 0) {
      print(usage);
      return;
    }
    try {
      switch (w[0]) {
        case "list" -> {
          List<GroupView> all = client.groups();
          if (all.isEmpty()) {
            print("No groups on this device: /group create NAME a,b,c makes one.");
          }
          for (GroupView g : all) {
            List<String> members =
                g.members().stream().map(m -> g.admins().contains(m) ? m + "*" : m).toList();
            print(
                g.shown()
                    + "  "
                    + String.join(", ", members)
                    + (g.removed() ? "  (you are no longer a member)" : ""));
          }
        }
        case "create" -> {
          if (w.length != 3) {
            print(usage);
            return;
          }
          GroupView g = client.createGroup(bare(w[1]), List.of(w[2].split(",")));
          print("Created " + g.shown() + " with " + String.join(", ", g.members()) + ".");
        }
        case "add", "remove" -> {
          if (w.length != 3) {
            print(usage);
            return;
          }
          GroupView g =
              w[0].equals("add")
                  ? client.addToGroup(w[1], w[2])
                  : client.removeFromGroup(w[1], w[2]);
          print(
              (w[0].equals("add") ? "Added " : "Removed ")
                  + w[2]
                  + (w[0].equals("add") ? " to " : " from ")
                  + g.shown()
                  + "; members: "
                  + String.join(", ", g.members())
                  + ".");
        }
        case "leave" -> {
          if (w.length != 2) {
            print(usage);
            return;
          }
          GroupView g = client.leaveGroup(w[1]);
          print("You left " + g.shown() + ".");
          peer.compareAndSet(g.shown(), null);
        }
        default -> print(usage);
      }
    } catch (GroupChangeRefusedException | UnknownGroupException | MessageTooLongException e) {
      print("[!] Refused: " + e.getMessage());
    } catch (UntrustedContactException e) {
      print("[!] Refused: " + RemedyText.explain(e));
    }
  }

  private static String bare(String name) {
    return name.startsWith("#") ? name.substring(1) : name;
  }

  /**
   * True when {@code name} is a valid user name; otherwise says what is wrong, suggesting the
   * lowercase form when that would be valid.
   */
  private boolean isValidName(String name, String command) {
    if (IdentityName.isValid(name)) {
      return true;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (IdentityName.isValid(lower)) {
      print("User names are lowercase: type " + command + " " + lower);
      return false;
    }
    try {
      IdentityName.validate(name);
      return true;
    } catch (IllegalArgumentException e) {
      print("Not a user name: " + e.getMessage().replaceFirst("^identity name", "the name") + ".");
      return false;
    }
  }

  /** Talks to whoever wrote last and, if {@code text} is given, sends it to them. */
  private void reply(String text) throws IOException {
    String to = lastSender;
    if (to == null) {
      print("Nobody has written to you yet, so there is no one to reply to: use /to NAME.");
      return;
    }
    if (!to.equals(peer.getAndSet(to))) {
      print("Now talking to " + to + ".");
    }
    if (!text.isEmpty()) {
      sendToPeer(text);
    }
  }

  private void who() throws IOException {
    if (!client.isConnected()) {
      print(
          "/who needs the connection to the server, which is down now; the client reconnects by"
              + " itself (see the [connection: ...] lines), try again then.");
      return;
    }
    print("Online: " + String.join(", ", client.whoIsOnline()));
  }

  private void sendToPeer(String text) throws IOException {
    String to = peer.get();
    if (to == null) {
      print(
          "Pick someone first: /to NAME (see /who for who is online), or /r to reply to the last"
              + " message.");
      return;
    }
    try {
      if (to.startsWith("#")) {
        client.sendToGroupOrKeep(to, text);
      } else {
        client.sendOrKeep(to, text);
      }
      if (!client.isConnected()) {
        print("[offline: kept on this device, sent when the connection is back]");
      }
    } catch (MessageTooLongException | UnknownGroupException | IllegalArgumentException e) {
      print("[!] Not sent: " + e.getMessage());
    }
  }

  private void showHistory(String name) throws IOException {
    List<HistoryEntry> recent = client.history(name, 20);
    if (recent.isEmpty()) {
      return;
    }
    print(
        recent.size() == 1
            ? "--- the last message with " + name + " ---"
            : "--- the last " + recent.size() + " messages with " + name + " ---");
    for (HistoryEntry e : recent) {
      String who = e.direction() == HistoryEntry.Direction.IN ? name : "me";
      String mark =
          e.direction() == HistoryEntry.Direction.OUT && e.state() == HistoryEntry.State.DELIVERED
              ? "  (delivered)"
              : "";
      print("[" + TIME.format(e.sentAt()) + "] " + who + ": " + e.text() + mark);
    }
    print("---");
  }

  private void fingerprint(String name) throws IOException {
    if (name == null || name.isEmpty()) {
      print("usage: /fingerprint NAME");
      return;
    }
    if (!isValidName(name, "/fingerprint")) {
      return;
    }
    if (client.isConnected()) {
      try {
        VerifiedContact c = client.lookUp(name);
        print("Safety number with " + name + ": " + client.safetyNumber(name));
        print("  signing key of " + name + ":    " + KeyFingerprint.of(c.signing()));
        print("  encryption key of " + name + ": " + KeyFingerprint.of(c.encryption()));
        print(
            "Compare the safety number with "
                + name
                + "; it is the same on both sides."
                + " The key fingerprints are those `ztchat pki list` shows.");
        return;
      } catch (UntrustedContactException e) {
        print("[!] " + RemedyText.explain(e));
        return;
      } catch (IOException e) {
        // the connection went away meanwhile: the pinned keys still answer
      }
    }
    Optional<PinnedKeys> pinned = client.pinnedKeys(name);
    if (pinned.isEmpty()) {
      print(
          "Not connected, and no keys of "
              + name
              + " are pinned on this device (you have not exchanged"
              + " messages yet): /fingerprint "
              + name
              + " needs the connection this time.");
      return;
    }
    PinnedKeys p = pinned.get();
    print(
        "Not connected: these are the keys of "
            + name
            + " pinned on this device (first seen, or last"
            + " accepted); the server may hold newer ones.");
    print("Safety number with " + name + ": " + p.safetyNumber());
    print("  signing key of " + name + ":    " + p.signingFingerprint());
    print("  encryption key of " + name + ": " + p.encryptionFingerprint());
    print("Compare the safety number with " + name + "; it is the same on both sides.");
  }

  private void devices(String name) throws IOException {
    List<String> lines;
    if (name.isEmpty() || name.equals(client.me())) {
      lines =
          DeviceLines.ofMine(
              client.me(), client.thisDevice(), client.deviceStandingsOf(client.me()));
    } else if (isValidName(name, "/devices")) {
      lines = DeviceLines.ofContact(name, client.deviceStandingsOf(name));
    } else {
      return;
    }
    lines.forEach(this::print);
  }

  private void accept(String name) throws IOException {
    KeyChangedException change = name == null ? null : pendingChanges.remove(name);
    if (change == null) {
      print("No key change is waiting for " + (name == null ? "anyone" : name) + ".");
      return;
    }
    client.acceptChange(change);
    print(
        (change.newDevice() == null ? "Accepted the new keys of " : "Accepted the new device of ")
            + name
            + " ("
            + change.newFingerprint()
            + "). Waiting messages are sent now.");
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
    lastSender = m.sender();
    print("[" + TIME.format(m.timestamp()) + "] " + m.sender() + ": " + m.text());
    if (peer.compareAndSet(null, m.sender())) {
      if (reader instanceof LineReaderImpl impl) {
        impl.setPrompt(prompt());
      }
      print(
          "Now talking to "
              + m.sender()
              + ": what you type goes to them (/to NAME picks someone else,"
              + " /r replies to whoever wrote last).");
    }
  }

  /** What I sent from another of my devices: shown in the conversation as sent by me. */
  @Override
  public void onOwnMessage(String to, OpenedMessage m) {
    print("[" + TIME.format(m.timestamp()) + "] me -> " + to + ": " + m.text());
  }

  /** A group message: {@code #team alice: text}. */
  @Override
  public void onGroupMessage(GroupView group, String sender, OpenedMessage m) {
    String who = client != null && sender.equals(client.me()) ? "me" : sender;
    print("[" + TIME.format(m.timestamp()) + "] " + group.shown() + " " + who + ": " + m.text());
  }

  @Override
  public void onGroupRejected(String claimedSender, String explanation) {
    print(
        "[!] Group message dropped (claimed sender: "
            + (claimedSender == null ? "unknown" : claimedSender)
            + ") - "
            + explanation);
  }

  @Override
  public void onDelivered(String from, String messageIdHex) {
    print("  (" + from + " received your message " + describeSent(from, messageIdHex) + ")");
  }

  /**
   * Which message a receipt confirms: its first words and when it was sent, from the local history.
   */
  private String describeSent(String to, String messageIdHex) {
    try {
      for (HistoryEntry e : client.history(to, RECEIPT_LOOKBACK)) {
        if (e.direction() == HistoryEntry.Direction.OUT && e.messageIdHex().equals(messageIdHex)) {
          return "\"" + quote(e.text()) + "\" sent at " + MINUTE.format(e.sentAt());
        }
      }
    } catch (IOException | RuntimeException e) {
      // the history cannot be read: fall back to the id
    }
    return messageIdHex.substring(0, Math.min(8, messageIdHex.length()));
  }

  /** The first words of {@code text} on one line, shortened with an ellipsis. */
  static String quote(String text) {
    String[] words = text.strip().split("\\s+");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < words.length && i < QUOTE_WORDS; i++) {
      b.append(i > 0 ? " " : "").append(words[i]);
    }
    boolean cut = words.length > QUOTE_WORDS;
    if (b.length() > QUOTE_CHARS) {
      // never split a surrogate pair
      b.setLength(
          Character.isHighSurrogate(b.charAt(QUOTE_CHARS - 1)) ? QUOTE_CHARS - 1 : QUOTE_CHARS);
      cut = true;
    }
    return cut ? b.toString().strip() + "..." : b.toString();
  }

  @Override
  public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
    print(Warnings.dropped(claimedSender, reason) + " - " + explanation);
  }

  @Override
  public void onKeyChanged(String contact, String pinnedFingerprint, String newFingerprint) {
    print(
        "[!] WARNING: the keys of "
            + contact
            + " differ from the pinned ones (pinned "
            + pinnedFingerprint
            + ", now "
            + newFingerprint
            + "). Compare /fingerprint "
            + contact
            + " out of band.");
  }

  @Override
  public void onNotice(String notice) {
    print(notice);
  }

  @Override
  public void onNotice(String notice, Remedy remedy) {
    print(RemedyText.withRemedy(notice, Optional.of(remedy)) + ".");
  }

  @Override
  public void onConnectionState(ConnectionStatus status) {
    // Each attempt is announced by the line before it ("Connecting to ..." at start, "retrying in
    // N s" after a failure): a "connecting" line per attempt would double every retry.
    if (status.state() != ConnectionState.CONNECTING) {
      print("[connection: " + RemedyText.describe(status) + "]");
    }
  }

  @Override
  public void onSendResult(String to, String messageIdHex, DeliveryStatus status) {
    switch (status) {
      case DELIVERED -> {}
      case QUEUED -> {
        if (!to.startsWith("#")) { // in a group, someone is usually offline: nothing to say
          print("[the server stored your message and delivers it when " + to + " is online]");
        }
      }
      case FULL ->
          print(
              "[!] "
                  + to
                  + "'s queue on the server is full: your message waits on this device and is"
                  + " retried");
      case UNKNOWN -> print("[!] Not sent: the server knows no user " + to);
    }
  }

  @Override
  public void onSendBlocked(KeyChangedException e) {
    pendingChanges.put(e.contact(), e);
    if (e.newDevice() == null) {
      print(
          "[!] WARNING: the keys of "
              + e.contact()
              + " have CHANGED. Nothing was sent to the new keys.");
      print("    pinned: " + e.pinnedFingerprint());
    } else {
      print(
          "[!] WARNING: "
              + e.contact()
              + " has a NEW DEVICE"
              + (e.newDeviceName().isEmpty() ? "" : " named '" + e.newDeviceName() + "'")
              + ". Nothing you send reaches it before you accept it.");
      print("    known:  " + e.pinnedFingerprint());
    }
    print("    new:    " + e.newFingerprint());
    print(
        (e.newDevice() == null
                ? "    Compare /fingerprint " + e.contact() + " with " + e.contact()
                : "    Ask "
                    + e.contact()
                    + " to read out the new device's fingerprint (/devices on that device) and"
                    + " compare it")
            + " in person or by phone, then /accept "
            + e.contact()
            + " (your messages wait until then).");
  }

  @Override
  public void onSendFailed(String to, String reason) {
    print("[!] Not sent to " + to + ": " + reason);
  }
}
