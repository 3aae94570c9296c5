package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jline.terminal.Terminal;
import org.junit.jupiter.api.Test;

/** The terminal the client opens, in a test run where stdin is a pipe, not a terminal. */
class ClientCommandTest {
  @Test
  void stdinNotATerminal_givesAPlainTerminal_withoutTheLineEditorsDumbTerminalWarning()
      throws Exception {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(String.valueOf(r.getMessage()));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger jline = Logger.getLogger("org.jline");
    jline.addHandler(capture);
    try (Terminal terminal = ClientCommand.systemTerminal()) {
      assertThat(terminal.getType()).startsWith("dumb");
    } finally {
      jline.removeHandler(capture);
    }
    assertThat(warnings).as("warnings of the line editor").isEmpty();
  }
}
