package dev.ztchat.cli;

import dev.ztchat.server.store.PostgresUrl;
import dev.ztchat.server.store.QueueLimits;
import dev.ztchat.server.store.ShardMove;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ztchat server store-move --store URL,URL,... [--from URL,...]}: the step that adding a
 * PostgreSQL database to the relay's {@code --store}, or taking one out, needs, run while every
 * relay node is stopped: moves each recipient's queued envelopes to the database the new list
 * assigns (draining the databases given with {@code --from} into the remaining ones) and records
 * the list, so that the relays start with it (docs/DEPLOYMENT.md, several databases). It says how
 * far it got as it goes; cut short, the same command finishes the move.
 */
@Command(
    name = "store-move",
    mixinStandardHelpOptions = true,
    description = {
      "Move queued envelopes to the databases a new --store list assigns them (adding a shard,"
          + " or with --from taking one out).",
      "Run it with every relay node stopped, with the list the nodes will be given; run it again"
          + " if it was cut short."
    })
final class ServerStoreMoveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--store",
      paramLabel = "URL,URL,...",
      required = true,
      description =
          "The new list of PostgreSQL databases, the home (the first of the old list) first, as"
              + " the relays' --store will name it.")
  String store;

  @Option(
      names = "--from",
      paramLabel = "URL,...",
      description =
          "Databases to take out of the store (never the home): their queues are moved to the"
              + " databases of --store, and the relays no longer need them.")
  String from;

  @Override
  public Integer call() {
    List<PostgresUrl> urls = parse(store, "--store");
    List<PostgresUrl> removed = from == null ? List.of() : parse(from, "--from");
    PrintWriter out = spec.commandLine().getOut();
    try {
      // the data folder and quotas play no part in a move
      QueueLimits limits = QueueLimits.defaults(Path.of("data")).withStore(store);
      ShardMove.Moved moved =
          ShardMove.move(urls, removed, limits, Clock.systemUTC(), new Printed(out));
      out.printf(
          "moved the queues of %d recipients (%d envelopes); the relays may now start with this"
              + " --store%n",
          moved.recipients(), moved.envelopes());
      out.flush();
      return 0;
    } catch (IOException e) {
      throw new UserError(e.getMessage());
    }
  }

  private static List<PostgresUrl> parse(String list, String option) {
    try {
      return PostgresUrl.parseList(list);
    } catch (IllegalArgumentException e) {
      // the parser names --store; say which option was wrong
      throw new UserError(option + e.getMessage().replaceFirst("^--store", ""), 2);
    }
  }

  /** Progress as lines: one per database drained, and one per 100 recipients moved. */
  private static final class Printed implements ShardMove.Progress {
    private static final int EVERY = 100;
    private final PrintWriter out;
    private int moved;
    private int envelopes;

    Printed(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void draining(String from, int recipients) {
      moved = 0;
      envelopes = 0;
      out.printf("%s: moving the queues of %d recipients%n", from, recipients);
      out.flush();
    }

    @Override
    public void copied(String from, String to, int n) {
      moved++;
      envelopes += n;
      if (moved % EVERY == 0) {
        out.printf("  %d recipients (%d envelopes) moved so far%n", moved, envelopes);
        out.flush();
      }
    }

    @Override
    public void drained(String from, int recipients, int n) {
      out.printf("%s: done, %d recipients (%d envelopes) moved%n", from, recipients, n);
      out.flush();
    }
  }
}
