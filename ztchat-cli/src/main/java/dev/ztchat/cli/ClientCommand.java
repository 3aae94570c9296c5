package dev.ztchat.cli;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.ChatTerminal;
import java.io.IOException;
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
      "Without --identity, lists the identities in the certs folder and asks which one to use."
    })
final class ClientCommand implements Callable<Integer> {
  @Mixin ClientOptions options;

  @Override
  public Integer call() throws IOException {
    try (Terminal terminal = TerminalBuilder.builder().name("ztchat").system(true).build()) {
      String me = options.resolveIdentity(found -> choose(terminal, found));
      ChatClientConfig config = options.config(me);
      terminal.writer().println("Connecting to " + config.host() + ":" + config.port() + " as " + me
          + " (messages you type while offline are kept and sent once connected)...");
      terminal.writer().flush();
      ChatTerminal ui = new ChatTerminal(terminal);
      try (ChatClient client = ChatClient.start(config, ui)) {
        ui.run(client);
      }
      terminal.writer().println("Bye.");
      terminal.writer().flush();
      return 0;
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
      terminal.writer().println("'" + answer + "' is not one of the identities above; type a letter such as A, or a name.");
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
