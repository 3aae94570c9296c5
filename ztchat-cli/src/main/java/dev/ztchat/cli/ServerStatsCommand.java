package dev.ztchat.cli;

import dev.ztchat.server.store.QueueStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ztchat server stats --data DIR} (or {@code --store URL} for a PostgreSQL store): what the
 * relay's store holds, per recipient (envelopes waiting, their bytes, the oldest one's age) and in
 * all, read-only beside a running relay. Shows no content and no senders: the relay cannot read the
 * envelopes, and who writes to whom stays in the store.
 */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Show the relay store's queues: per recipient, envelopes waiting, bytes and the oldest's"
          + " age.",
      "Read-only; works while the relay runs. Shows no message content."
    })
final class ServerStatsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      defaultValue = "data",
      description = "The relay's data folder (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--store",
      paramLabel = "URL",
      description =
          "The relay's PostgreSQL store, the same postgresql:// URL as the server's --store"
              + " (default: SQLite in --data).")
  String store;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    long now = System.currentTimeMillis();
    try (QueueStats.Reader reader = open()) {
      List<QueueStats.Recipient> rows = reader.byRecipient(now);
      QueueStats.Totals totals = reader.totals(now);
      out.printf("%-32s %10s %14s %12s%n", "RECIPIENT", "MESSAGES", "BYTES", "OLDEST");
      for (QueueStats.Recipient r : rows) {
        out.printf(
            "%-32s %10d %14d %12s%n",
            r.name(), r.messages(), r.bytes(), age(now - r.oldestEnqueuedAtMillis()));
      }
      out.printf(
          "%-32s %10d %14d %12s%n",
          "total (" + totals.recipients() + " recipients)",
          totals.messages(),
          totals.bytes(),
          totals.messages() == 0 ? "-" : age(now - totals.oldestEnqueuedAtMillis()));
      out.flush();
      return 0;
    } catch (NoSuchFileException e) {
      throw new UserError(
          store == null
              ? "no relay store in "
                  + data.toAbsolutePath()
                  + ": give the relay's data folder with --data DIR"
              : "no relay store in "
                  + e.getFile()
                  + ": give the database the relay uses with --store URL");
    } catch (IOException e) {
      throw new UserError(e.getMessage());
    }
  }

  private QueueStats.Reader open() throws IOException {
    try {
      return QueueStats.Reader.open(store, data);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2); // a malformed --store, named by its parser
    }
  }

  /** A compact age: 45s, 12m, 5h, 3d. */
  static String age(long millis) {
    Duration d = Duration.ofMillis(Math.max(0, millis));
    if (d.toDays() > 0) {
      return d.toDays() + "d" + (d.toHoursPart() > 0 ? d.toHoursPart() + "h" : "");
    }
    if (d.toHours() > 0) {
      return d.toHours() + "h" + (d.toMinutesPart() > 0 ? d.toMinutesPart() + "m" : "");
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + "m";
    }
    return d.toSeconds() + "s";
  }
}
