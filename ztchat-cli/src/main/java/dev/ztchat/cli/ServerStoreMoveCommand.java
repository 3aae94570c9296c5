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
 * {@code ztchat server store-move --store URL,URL,...}: the step that adding a PostgreSQL database
 * to the relay's {@code --store} needs, run while every relay node is stopped: moves each
 * recipient's queued envelopes to the database the new list assigns and records the list, so that
 * the relays start with it (docs/DEPLOYMENT.md, adding a shard).
 */
@Command(
    name = "store-move",
    mixinStandardHelpOptions = true,
    description = {
      "Move queued envelopes to the databases a new --store list assigns them (adding a shard).",
      "Run it with every relay node stopped, with the list the nodes will be given."
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

  @Override
  public Integer call() {
    List<PostgresUrl> urls;
    try {
      urls = PostgresUrl.parseList(store);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2);
    }
    PrintWriter out = spec.commandLine().getOut();
    try {
      // the data folder and quotas play no part in a move
      QueueLimits limits = QueueLimits.defaults(Path.of("data")).withStore(store);
      ShardMove.Moved moved = ShardMove.move(urls, limits, Clock.systemUTC());
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
}
