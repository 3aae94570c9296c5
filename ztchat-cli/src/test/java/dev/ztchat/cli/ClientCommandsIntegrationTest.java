package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.RelayConnection;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.terminal.TerminalText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The client commands as a user runs them ({@code client} on a terminal fed by a real input stream,
 * {@code send} and {@code recv} through {@link Main}) against a real relay over real TLS.
 */
// Replaces System.out and System.err, which every test in this JVM shares.
@Isolated
class ClientCommandsIntegrationTest {
  static final String RECOLOUR_AND_TITLE = "\u001b[31mRED\u001b[0m \u001b]0;PWNED\u0007";
  static final String OVERWRITE = "innocent\r\u001b[1A\u001b[2Kcarol: forged";
  static final String FAKE_LINE =
      "ok see you\ncarol: the new wiki password is hunter2, please confirm yours";
  static final String BIDI = "pay \u202eevil\u202c \u2066x\u2069 \u200f\u200e\u061c \u0085\u009b";

  @TempDir Path dir;
  TestPki pki;
  Path certs;
  Path relayData;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    certs = dir.resolve("certs");
    relayData = dir.resolve("relay-data");
    server =
        RelayServer.start(RelayServerConfig.defaults(pki.writeTo(certs), relayData).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Path data(String name) {
    return dir.resolve("home").resolve(".ztchat").resolve("ca").resolve(name);
  }

  String[] common(String name) {
    return new String[] {
      "--identity",
      name,
      "--server",
      "localhost:" + server.port(),
      "--certs",
      certs.toString(),
      "--data",
      data(name).toString()
    };
  }

  String[] args(String command, String name, String... more) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(List.of(common(name)));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  record Run(int exit, String out, String err) {}

  /** Runs {@code ztchat ARGS} in this process with stdout and stderr captured. */
  static Run ztchat(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      CommandLine cl = Main.commandLine();
      cl.setErr(new PrintWriter(System.err, true, StandardCharsets.UTF_8));
      int exit = cl.execute(args);
      return new Run(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** {@code ztchat client} on a terminal: type lines into it, read what it shows. */
  final class Chat implements AutoCloseable {
    final ByteArrayOutputStream shown = new ByteArrayOutputStream();
    final PipedOutputStream keyboard = new PipedOutputStream();
    final Terminal terminal;
    final Thread thread;
    volatile Integer exit;

    Chat(String name) throws IOException {
      PipedInputStream in = new PipedInputStream(keyboard, 64 * 1024);
      terminal =
          TerminalBuilder.builder()
              .system(false)
              .streams(in, shown)
              .type("dumb")
              .encoding(StandardCharsets.UTF_8)
              .build();
      CommandLine cl = new CommandLine(new ClientCommand());
      cl.parseArgs(common(name));
      ClientCommand command = cl.getCommand();
      thread =
          new Thread(
              () -> {
                try {
                  exit = command.chat(terminal);
                } catch (IOException e) {
                  exit = -1;
                }
              },
              "chat-" + name);
      thread.start();
    }

    void type(String line) throws IOException {
      keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      keyboard.flush();
    }

    String text() {
      synchronized (shown) {
        return shown.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
      }
    }

    String awaitShown(Predicate<String> condition, String what) throws InterruptedException {
      await(() -> condition.test(text()));
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

  static void await(Callable<Boolean> condition) throws InterruptedException {
    Polling.eventually(
        Duration.ofSeconds(20),
        () -> {
          try {
            return condition.call();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
  }

  /** No byte of {@code s} is one a terminal would act on, or one that hides or reorders text. */
  static void assertNoRawControl(String s) {
    s.codePoints()
        .forEach(
            cp ->
                assertThat(cp == '\n' || !TerminalText.isUnsafe(cp))
                    .as("U+%04X in %s", cp, s)
                    .isTrue());
  }

  ChatClient alice() throws IOException {
    return ChatClient.connect(
        ChatClientConfig.of(
            "localhost",
            server.port(),
            pki.user("alice"),
            pki.ca().certificate(),
            dir.resolve("alice-lib")),
        new ChatListener() {
          @Override
          public void onMessage(OpenedMessage message) {}

          @Override
          public void onRejected(
              String claimedSender, RejectionReason reason, String explanation) {}
        });
  }

  @Test
  void recv_printsEachHostileMessageAsExactlyOneEscapedLine() throws Exception {
    try (ChatClient alice = alice()) {
      for (String text :
          List.of(RECOLOUR_AND_TITLE, OVERWRITE, FAKE_LINE, BIDI, "back\\slash\\n")) {
        alice.send("bob", text);
      }
    }
    Run recv = ztchat(args("recv", "bob", "--count", "5", "--timeout", "30s"));

    assertThat(recv.exit()).as(recv.err()).isZero();
    assertNoRawControl(recv.out());
    assertNoRawControl(recv.err());
    assertThat(recv.out().lines())
        .containsExactly(
            "alice: \\e[31mRED\\e[0m \\e]0;PWNED\\x07",
            "alice: innocent\\r\\e[1A\\e[2Kcarol: forged",
            "alice: ok see you\\ncarol: the new wiki password is hunter2, please confirm yours",
            "alice: pay \\u202eevil\\u202c \\u2066x\\u2069 \\u200f\\u200e\\u061c \\u0085\\u009b",
            "alice: back\\\\slash\\\\n");
  }

  @Test
  void sendAndRecv_givenSeveralRelays_skipOneThatIsDown() throws Exception {
    int down;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      down = free.getLocalPort(); // closed below: nothing listens there
    }
    String relays = "localhost:" + down + ",localhost:" + server.port();

    Run send = ztchat(onRelays(relays, args("send", "alice", "--to", "bob", "via the second")));
    Run recv = ztchat(onRelays(relays, args("recv", "bob", "--count", "1", "--timeout", "30s")));

    assertThat(send.exit()).as(send.err()).isZero();
    assertThat(recv.exit()).as(recv.err()).isZero();
    assertThat(recv.out().lines()).containsExactly("alice: via the second");
  }

  /** {@code args} with {@code --server relays}. */
  static String[] onRelays(String relays, String[] args) {
    String[] out = args.clone();
    out[List.of(args).indexOf("--server") + 1] = relays;
    return out;
  }

  @Test
  void libraryWarningDuringAChat_isANoticeOnTheScreen_neverARawLogLine() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (Chat bob = new Chat("bob")) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      LoggerFactory.getLogger(RelayConnection.class)
          .warn("server reported an error: {} ({})", "\u001b[2K\rcarol: forged", "internal");
      // waits for the whole line: the terminal may still be writing it when its start shows
      String shown =
          bob.awaitShown(
              s -> s.contains("server reported an error: \\e[2K\\rcarol: forged (internal)"),
              "the warning");

      assertThat(shown).contains("[!] server reported an error: \\e[2K\\rcarol: forged (internal)");
      assertNoRawControl(shown.replace("\r", ""));
    } finally {
      System.setErr(oldErr);
    }
    assertThat(err.toString(StandardCharsets.UTF_8))
        .as("what reached stderr, i.e. the same terminal")
        .doesNotContain("server reported an error");
  }

  @Test
  void recvWhileTheClientRuns_isRefusedAtOnceWithItsOwnExitCode() throws Exception {
    try (Chat bob = new Chat("bob")) {
      bob.awaitShown(s -> s.contains("[connection: connected"), "that bob is connected");
      Run recv = ztchat(args("recv", "bob", "--count", "1", "--timeout", "30s"));

      assertThat(recv.exit()).isEqualTo(FriendlyErrors.IDENTITY_IN_USE);
      assertThat(recv.err())
          .contains(
              "recv: bob is already in use by another ztchat process (pid "
                  + ProcessHandle.current().pid()
                  + ")")
          .doesNotContain("Replay");
      Run send = ztchat(args("send", "bob", "--to", "alice", "hi"));
      assertThat(send.exit()).isEqualTo(FriendlyErrors.IDENTITY_IN_USE);
    }
    Run recvAfter = ztchat(args("recv", "bob", "--count", "0", "--timeout", "1s"));
    assertThat(recvAfter.exit()).as(recvAfter.err()).isZero();
  }

  @Test
  void afterAChatAndSendRecv_noFileHoldsTheText_andClientFilesArePrivate() throws Exception {
    String typed = "MARKER-typed-" + System.nanoTime();
    String replied = "MARKER-sent-" + System.nanoTime();
    try (Chat alice = new Chat("alice")) {
      alice.awaitShown(s -> s.contains("[connection: connected"), "that alice is connected");
      alice.type("/to bob");
      alice.type(typed);
      alice.awaitShown(
          s -> s.contains("the server stored your message") || s.contains("received your message"),
          "that the relay took it");

      Run recv = ztchat(args("recv", "bob", "--count", "1", "--timeout", "30s"));
      assertThat(recv.out()).contains("alice: " + typed);
      Run send = ztchat(args("send", "bob", "--to", "alice", replied));
      assertThat(send.exit()).as(send.err()).isZero();
      alice.awaitShown(s -> s.contains("bob: " + replied), "bob's answer");
      alice.type("/to bob"); // the history view
      alice.awaitShown(
          s -> s.indexOf("bob: " + replied) != s.lastIndexOf("bob: " + replied), "the history");

      List<Path> whileOpen = assertNoFileHolds(typed, replied);
      assertThat(whileOpen)
          .as("the write-ahead logs are searched too")
          .anyMatch(p -> p.getFileName().toString().equals("client.db-wal"))
          .anyMatch(p -> p.getFileName().toString().equals("client.db-shm"));
    }
    assertNoFileHolds(typed, replied);
  }

  /**
   * Searches every file of the client state and the relay's data for the texts, and checks that
   * every client file is 0600 and every client folder 0700; returns the files searched.
   */
  List<Path> assertNoFileHolds(String... texts) throws IOException {
    List<Path> clientFiles;
    try (var walk = Files.walk(dir.resolve("home"))) {
      clientFiles = walk.toList();
    }
    List<Path> relayFiles;
    try (var walk = Files.walk(relayData)) {
      relayFiles = walk.toList();
    }
    assertThat(clientFiles).anyMatch(p -> p.getFileName().toString().equals("client.db"));
    for (Path p : concat(clientFiles, relayFiles)) {
      if (Files.isRegularFile(p)) {
        String content = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        assertThat(content).as("%s", p).doesNotContain(texts);
      }
    }
    for (Path p : clientFiles) {
      String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
      assertThat(mode).as("%s", p).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
    }
    return concat(clientFiles, relayFiles);
  }

  static List<Path> concat(List<Path> a, List<Path> b) {
    List<Path> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
