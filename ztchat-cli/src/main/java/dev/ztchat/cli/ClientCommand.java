package dev.ztchat.cli;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.terminal.ChatTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ztchat client}: the interactive terminal chat. */
@Command(
    name = "client",
    mixinStandardHelpOptions = true,
    description = {
      "Interactive end-to-end encrypted chat.",
      "Without --identity, lists the identities in the certs folder and asks which one to use.",
      "Text from others is shown escaped (\\e, \\x07, \\u202e ...); further lines of a"
          + " multi-line message begin with '    | '. Typed lines are not saved to disk."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the chat ended (/quit or Ctrl-D)",
      "1:error",
      "2:bad usage",
      "7:this identity is already in use by another ztchat process (client, send or recv)",
    })
final class ClientCommand implements Callable<Integer> {
  /** Name of the plaintext line-editor history older versions kept in the state folder. */
  static final String LEGACY_LINE_HISTORY = "history.txt";

  @Mixin ClientOptions options;

  @Override
  public Integer call() throws IOException {
    try (Terminal terminal = systemTerminal()) {
      return chat(terminal);
    }
  }

  /**
   * The terminal the chat runs on: the system's, or a plain one when stdin is not a terminal (input
   * from a pipe or a script). Allowing the plain one up front keeps the line editor from warning
   * about it on stderr, since it is an expected case, not a fault.
   */
  static Terminal systemTerminal() throws IOException {
    return TerminalBuilder.builder().name("ztchat").system(true).dumb(true).build();
  }

  /** The chat on {@code terminal}; library warnings are shown as notices on it, never raw. */
  int chat(Terminal terminal) throws IOException {
    ChatTerminal ui = new ChatTerminal(terminal);
    try (ClientLogging logging = ClientLogging.routeTo(ui::onNotice)) {
      String me = options.resolveIdentity(found -> choose(terminal, found));
      ChatClientConfig config = options.config(me);
      terminal
          .writer()
          .println(
              "Connecting to "
                  + config.relays()
                  + " as "
                  + me
                  + " (messages you type while offline are kept and sent once connected)...");
      terminal.writer().flush();
      try (ChatClient client = ChatClient.start(config, ui)) {
        removeLegacyLineHistory(config.dataDir(), ui);
        ui.run(client);
      }
      terminal.writer().println("Bye.");
      terminal.writer().flush();
      return 0;
    }
  }

  /** Deletes the plaintext typed-line history an older version left behind, and says so. */
  static void removeLegacyLineHistory(Path dataDir, ChatTerminal ui) throws IOException {
    if (Files.deleteIfExists(dataDir.resolve(LEGACY_LINE_HISTORY))) {
      ui.onNotice(
          "[!] Deleted "
              + dataDir.resolve(LEGACY_LINE_HISTORY)
              + ": older versions kept the lines you typed there"
              + " unencrypted. Messages are now stored only encrypted.");
    }
  }

  /** Asks "Select identity": a letter (A for the first) or a name. */
  static String choose(Terminal terminal, List<String> names) {
    LineReader reader = LineReaderBuilder.builder().terminal(terminal).build();
    terminal.writer().println("Identities found:");
    for (int i = 0; i < names.size() && i < 26; i++) {
      terminal.writer().println("  " + (char) ('A' + i) + ") " + names.get(i));
    }
    while (true) {
      String answer;
      try {
        answer = reader.readLine("Select identity (letter or name): ").strip();
      } catch (EndOfFileException | UserInterruptException e) {
        throw new UserError("no identity selected", 2);
      }
      String picked = pick(names, answer);
      if (picked != null) {
        return picked;
      }
      terminal
          .writer()
          .println(
              "'"
                  + answer
                  + "' is not one of the identities above; type a letter such as A, or a name.");
    }
  }

  /** The identity a letter or name designates, or null. */
  static String pick(List<String> names, String answer) {
    if (names.contains(answer)) {
      return answer;
    }
    if (answer.length() == 1) {
      int i = Character.toUpperCase(answer.charAt(0)) - 'A';
      if (i >= 0 && i < names.size()) {
        return names.get(i);
      }
    }
    return null;
  }
}
