package dev.ztchat.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.ChatListener;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.KeyFingerprint;
import dev.ztchat.core.pki.PkiListing;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real chat screen ({@link ChatTerminal} on a JLine terminal fed by a real input stream) with
 * bob connected through a real relay: hostile text from alice, replying, choosing names,
 * fingerprints offline, and what the screen says about the connection and receipts.
 */
class ChatTerminalIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;
  boolean relayStopped;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs).withPort(0));
  }

  @AfterEach
  void stop() {
    if (!relayStopped) {
      server.close();
    }
  }

  void stopRelay() {
    relayStopped = true;
    server.close();
  }

  /** A chat screen running on its own thread: type lines into it, read what it shows. */
  static final class Screen implements AutoCloseable {
    final ByteArrayOutputStream shown = new ByteArrayOutputStream();
    final PipedOutputStream keyboard = new PipedOutputStream();
    final Terminal terminal;
    final Thread thread;

    Screen(ChatClientConfig config, BiConsumer<ChatTerminal, ChatClient> runner)
        throws IOException {
      PipedInputStream in = new PipedInputStream(keyboard, 64 * 1024);
      terminal =
          TerminalBuilder.builder()
              .system(false)
              .streams(in, shown)
              .type("dumb")
              .encoding(StandardCharsets.UTF_8)
              .build();
      ChatTerminal ui = new ChatTerminal(terminal);
      ChatClient client = ChatClient.start(config, ui);
      thread =
          new Thread(
              () -> {
                try (client) {
                  runner.accept(ui, client);
                }
              },
              "chat-screen");
      thread.start();
    }

    void type(String line) throws IOException {
      keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      keyboard.flush();
    }

    /** What the screen showed, with the terminal's CR LF line ends as LF. */
    String text() {
      synchronized (shown) {
        return shown.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
      }
    }

    String awaitShown(Predicate<String> condition, String what) throws InterruptedException {
      Polling.eventually(Duration.ofSeconds(20), () -> condition.test(text()));
      assertThat(condition.test(text()))
          .as("the screen shows %s; it shows:%n%s", what, text())
          .isTrue();
      return text();
    }

    @Override
    public void close() throws Exception {
      type("/quit");
      thread.join(TimeUnit.SECONDS.toMillis(20));
      terminal.close();
    }
  }

  /** Alice's side: the messages she receives. */
  static final class Inbox implements ChatListener {
    final BlockingQueue<OpenedMessage> messages = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(OpenedMessage message) {
      messages.add(message);
    }

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {}

    OpenedMessage next() throws InterruptedException {
      OpenedMessage m = messages.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a message arrives").isNotNull();
      return m;
    }
  }

  ChatClientConfig config(String name) throws IOException {
    return ChatClientConfig.of(
        "localhost",
        server.port(),
        pki.user(name),
        pki.ca().certificate(),
        dir.resolve("data-" + name));
  }

  Screen bobScreen() throws IOException {
    return new Screen(config("bob"), (ui, client) -> ui.run(client));
  }

  /** Asserts the screen output holds nothing a terminal would act on, and no forged line. */
  static void assertSafe(String shown) {
    assertThat(shown)
        .doesNotContain(
            "\u001b", "\u0007", "\u0085", "\u009b", "\u202e", "\u2066", "\u200f", "\u061c");
    for (String line : shown.split("[\r\n]")) {
      assertThat(line).as("a line of the screen").doesNotStartWith("carol:");
    }
  }

  @Test
  void hostileMessages_reachTheScreenEscaped_andCannotForgeALine() throws Exception {
    try (Screen bob = bobScreen();
        ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      alice.send("bob", TerminalTextTest.RECOLOUR_AND_TITLE);
      alice.send("bob", TerminalTextTest.OVERWRITE);
      alice.send("bob", TerminalTextTest.BIDI);
      alice.send("bob", TerminalTextTest.FAKE_LINE + " (end)");
      String shown =
          bob.awaitShown(s -> s.contains("please confirm yours (end)"), "the last message");

      assertSafe(shown);
      assertThat(shown).contains("alice: \\e[31mRED\\e[0m \\e]0;PWNED\\x07");
      assertThat(shown).contains("alice: innocent\\r\\e[1A\\e[2Kcarol: forged");
      assertThat(shown)
          .contains(
              "alice: ok see you\n" + TerminalText.CONTINUATION + "carol: the new wiki password");
    }
  }

  @Test
  void hostileMessages_inTheHistoryView_areEscapedToo() throws Exception {
    try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      try (Screen bob = bobScreen()) {
        bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
        alice.send("bob", TerminalTextTest.RECOLOUR_AND_TITLE);
        alice.send("bob", TerminalTextTest.FAKE_LINE + " (end)");
        bob.awaitShown(s -> s.contains("(end)"), "the last message");
      }
      try (Screen bob = bobScreen()) {
        bob.type("/to alice");
        String shown =
            bob.awaitShown(
                s -> s.contains("(end)") && s.contains("\n---"), "the history with alice");
        String history = shown.substring(shown.indexOf("--- the last"));
        assertSafe(history);
        assertThat(history).contains("alice: \\e[31mRED\\e[0m \\e]0;PWNED\\x07");
        assertThat(history)
            .contains(
                "alice: ok see you\n" + TerminalText.CONTINUATION + "carol: the new wiki password");
      }
    }
  }

  static int count(String shown, String what) {
    return shown.split(Pattern.quote(what), -1).length - 1;
  }

  @Test
  void firstMessage_whenNoConversationIsChosen_choosesItsSender_andATypedLineReplies()
      throws Exception {
    Inbox aliceInbox = new Inbox();
    try (Screen bob = bobScreen();
        ChatClient alice = ChatClient.connect(config("alice"), aliceInbox)) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      alice.send("bob", "are you there?");
      bob.awaitShown(s -> s.contains("Now talking to alice"), "that the first message chose alice");

      bob.type("yes, here");

      OpenedMessage reply = aliceInbox.next();
      assertThat(reply.sender()).isEqualTo("bob");
      assertThat(reply.text()).isEqualTo("yes, here");
    }
  }

  @Test
  void slashR_talksToTheLastSender_andSendsTheTextGivenWithIt() throws Exception {
    Inbox aliceInbox = new Inbox();
    try (Screen bob = bobScreen();
        ChatClient alice = ChatClient.connect(config("alice"), aliceInbox)) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      bob.type("/to carol");
      bob.awaitShown(s -> s.contains("Now talking to carol"), "that bob talks to carol");
      alice.send("bob", "lunch?");
      bob.awaitShown(s -> s.contains("alice: lunch?"), "alice's message");

      bob.type("/r sure, at noon");

      OpenedMessage reply = aliceInbox.next();
      assertThat(reply.text()).isEqualTo("sure, at noon");
      String shown =
          bob.awaitShown(s -> s.contains("Now talking to alice"), "that bob now talks to alice");
      assertThat(shown).doesNotContain("Now talking to alice: what you type");
      bob.type("and a second line");
      assertThat(aliceInbox.next().text()).isEqualTo("and a second line");
    }
  }

  @Test
  void to_upperCaseName_saysNamesAreLowercase_andSuggestsTheLowercaseForm() throws Exception {
    try (Screen bob = bobScreen()) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      bob.type("/to ALICE");
      bob.awaitShown(
          s -> s.contains("User names are lowercase: type /to alice"), "the lowercase hint");
      bob.type("/to al!ce");
      String shown = bob.awaitShown(s -> s.contains("Not a user name"), "that al!ce is not a name");
      assertThat(shown).contains("lowercase letters, digits").doesNotContain("Now talking to");
    }
  }

  @Test
  void to_nameTheRelayDoesNotKnow_isReportedAtOnce_andNotChosen() throws Exception {
    try (Screen bob = bobScreen()) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      bob.type("/to zed");
      bob.awaitShown(s -> s.contains("the server knows no user 'zed'"), "that zed is unknown");
      bob.type("hello?");
      String shown = bob.awaitShown(s -> s.contains("Pick someone first"), "that no one is chosen");
      assertThat(shown).doesNotContain("Now talking to zed");
    }
  }

  @Test
  void fingerprint_showsEachKeyInTheFormPkiListShows() throws Exception {
    try (Screen bob = bobScreen()) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      bob.type("/fingerprint alice");
      String shown = bob.awaitShown(s -> s.contains("encryption key of alice"), "alice's keys");

      var listed =
          PkiListing.list(certs, Instant.now()).stream()
              .filter(e -> e.name().equals("alice"))
              .toList();
      assertThat(listed).hasSize(2);
      for (PkiListing.Entry e : listed) {
        assertThat(shown).contains(e.role() + " key of alice: ").contains(e.fingerprint());
      }
      assertThat(shown).contains(KeyFingerprint.of(pki.user("alice").signing().certificate()));
    }
  }

  @Test
  void offline_fingerprintShowsThePinnedKeysAndTheSameSafetyNumber_andWhoSaysItNeedsTheConnection()
      throws Exception {
    Inbox aliceInbox = new Inbox();
    try (Screen bob = bobScreen()) {
      try (ChatClient alice = ChatClient.connect(config("alice"), aliceInbox)) {
        bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
        alice.send("bob", "hi");
        bob.awaitShown(s -> s.contains("Now talking to alice"), "alice's message");
        bob.type("hi alice");
        aliceInbox.next();
        bob.type("/fingerprint alice");
        bob.awaitShown(s -> s.contains("encryption key of alice"), "the safety number online");
      }
      Matcher online = Pattern.compile("Safety number with alice: ([0-9 ]+)").matcher(bob.text());
      assertThat(online.find()).isTrue();
      stopRelay();
      bob.awaitShown(s -> s.contains("[connection: offline"), "that bob is offline");

      bob.type("/fingerprint alice");
      String shown =
          bob.awaitShown(
              s -> s.contains("pinned on this device") && count(s, "encryption key of alice") == 2,
              "the pinned keys");
      assertThat(count(shown, "Safety number with alice: " + online.group(1).strip())).isEqualTo(2);
      assertThat(count(shown, KeyFingerprint.of(pki.user("alice").encryption().certificate())))
          .isEqualTo(2);

      bob.type("/fingerprint carol");
      bob.awaitShown(
          s -> s.contains("no keys of carol are pinned"), "that nothing is pinned for carol");
      bob.type("/who");
      bob.awaitShown(
          s -> s.contains("/who needs the connection to the server"),
          "that /who needs the connection");
      assertThat(bob.text()).doesNotContain("[error]");
    }
  }

  @Test
  void reconnectLoop_showsOneLinePerRetry() throws Exception {
    try (Screen bob = bobScreen()) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      stopRelay();
      String shown = bob.awaitShown(s -> count(s, "retrying in") >= 3, "three retries");
      String retries = shown.substring(shown.indexOf("[connection: offline"));
      assertThat(retries).doesNotContain("[connection: connecting");
      for (String line : retries.split("\n")) {
        if (line.contains("[connection:")) {
          assertThat(line).contains("retrying in");
        }
      }
    }
  }

  @Test
  void receiptForAnotherConversation_saysWhichMessageItConfirms() throws Exception {
    try (Screen bob = bobScreen()) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      bob.type("/to alice");
      bob.awaitShown(s -> s.contains("Now talking to alice"), "that bob talks to alice");
      bob.type("lunch at noon on friday with the whole team?");
      bob.awaitShown(
          s -> s.contains("the server stored your message"), "that the relay stored it for alice");
      bob.type("/to carol");
      bob.awaitShown(s -> s.contains("Now talking to carol"), "that bob talks to carol");

      try (ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
        String shown =
            bob.awaitShown(s -> s.contains("(alice received your message"), "the receipt");
        assertThat(shown)
            .containsPattern(
                "\\(alice received your message \"lunch at noon on friday\\.\\.\\.\" sent at"
                    + " \\d\\d:\\d\\d\\)");
      }
    }
  }

  @Test
  void historyOfOneMessage_saysTheLastMessage_notLast1Messages() throws Exception {
    try (Screen bob = bobScreen();
        ChatClient alice = ChatClient.connect(config("alice"), new Inbox())) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      alice.send("bob", "only one");
      bob.awaitShown(s -> s.contains("alice: only one"), "alice's message");
      bob.type("/to alice");
      String shown = bob.awaitShown(s -> s.contains("\n---\n"), "the history with alice");
      assertThat(shown)
          .contains("--- the last message with alice ---")
          .doesNotContain("last 1 messages");
    }
  }
}
