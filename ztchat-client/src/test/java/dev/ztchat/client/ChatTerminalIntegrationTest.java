package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real chat screen ({@link ChatTerminal} on a JLine terminal fed by a real input stream) with
 * bob connected through a real relay, receiving hostile text from alice.
 */
class ChatTerminalIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A chat screen running on its own thread: type lines into it, read what it shows. */
  static final class Screen implements AutoCloseable {
    final ByteArrayOutputStream shown = new ByteArrayOutputStream();
    final PipedOutputStream keyboard = new PipedOutputStream();
    final Terminal terminal;
    final Thread thread;

    Screen(ChatClientConfig config, java.util.function.BiConsumer<ChatTerminal, ChatClient> runner) throws IOException {
      PipedInputStream in = new PipedInputStream(keyboard, 64 * 1024);
      terminal = TerminalBuilder.builder().system(false).streams(in, shown).type("dumb").encoding(StandardCharsets.UTF_8).build();
      ChatTerminal ui = new ChatTerminal(terminal);
      ChatClient client = ChatClient.start(config, ui);
      thread = new Thread(() -> {
        try (client) {
          runner.accept(ui, client);
        }
      }, "chat-screen");
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
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!condition.test(text()) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(condition.test(text())).as("the screen shows %s; it shows:%n%s", what, text()).isTrue();
      return text();
    }

    @Override
    public void close() throws Exception {
      type("/quit");
      thread.join(TimeUnit.SECONDS.toMillis(20));
      terminal.close();
    }
  }

  ChatClientConfig config(String name) throws IOException {
    return ChatClientConfig.of("localhost", server.port(), pki.user(name), pki.ca().certificate(), dir.resolve("data-" + name));
  }

  Screen bobScreen() throws IOException {
    return new Screen(config("bob"), (ui, client) -> ui.run(client));
  }

  /** Asserts the screen output holds nothing a terminal would act on, and no forged line. */
  static void assertSafe(String shown) {
    assertThat(shown).doesNotContain("\u001b", "\u0007", "\u0085", "\u009b", "\u202e", "\u2066", "\u200f", "\u061c");
    for (String line : shown.split("[\r\n]")) {
      assertThat(line).as("a line of the screen").doesNotStartWith("carol:");
    }
  }

  @Test
  void hostileMessages_reachTheScreenEscaped_andCannotForgeALine() throws Exception {
    try (Screen bob = bobScreen();
        ChatClient alice = ChatClient.connect(config("alice"), new ChatClientIntegrationTest.Inbox())) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      alice.send("bob", TerminalTextTest.RECOLOUR_AND_TITLE);
      alice.send("bob", TerminalTextTest.OVERWRITE);
      alice.send("bob", TerminalTextTest.BIDI);
      alice.send("bob", TerminalTextTest.FAKE_LINE + " (end)");
      String shown = bob.awaitShown(s -> s.contains("please confirm yours (end)"), "the last message");

      assertSafe(shown);
      assertThat(shown).contains("alice: \\e[31mRED\\e[0m \\e]0;PWNED\\x07");
      assertThat(shown).contains("alice: innocent\\r\\e[1A\\e[2Kcarol: forged");
      assertThat(shown).contains("alice: ok see you\n" + TerminalText.CONTINUATION + "carol: the new wiki password");
    }
  }

  @Test
  void hostileMessages_inTheHistoryView_areEscapedToo() throws Exception {
    try (ChatClient alice = ChatClient.connect(config("alice"), new ChatClientIntegrationTest.Inbox())) {
      try (Screen bob = bobScreen()) {
        bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
        alice.send("bob", TerminalTextTest.RECOLOUR_AND_TITLE);
        alice.send("bob", TerminalTextTest.FAKE_LINE + " (end)");
        bob.awaitShown(s -> s.contains("(end)"), "the last message");
      }
      try (Screen bob = bobScreen()) {
        bob.type("/to alice");
        String shown = bob.awaitShown(s -> s.contains("(end)") && s.contains("\n---"), "the history with alice");
        String history = shown.substring(shown.indexOf("--- last"));
        assertSafe(history);
        assertThat(history).contains("alice: \\e[31mRED\\e[0m \\e]0;PWNED\\x07");
        assertThat(history).contains("alice: ok see you\n" + TerminalText.CONTINUATION + "carol: the new wiki password");
      }
    }
  }
}
