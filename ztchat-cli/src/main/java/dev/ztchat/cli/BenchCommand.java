package dev.ztchat.cli;

import dev.ztchat.bench.BenchOptions;
import dev.ztchat.bench.BenchRunner;
import dev.ztchat.bench.Benchmark;
import dev.ztchat.bench.Benchmarks;
import dev.ztchat.bench.Figure;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ztchat bench NAME|all [--quick]}: runs a benchmark against its peer on this machine and
 * prints ours / peer / ratio / target. Exit 0 when every figure was produced, 1 when one failed.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Run a benchmark on 127.0.0.1 and print ours / peer / ratio / target (docs/BENCHMARKS.md).",
      "Peers (openssl, mosquitto, nginx) are started from a temporary folder when installed,"
          + " skipped (and said so) otherwise."
    })
final class BenchCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description = "all, or one of: ${COMPLETION-CANDIDATES}",
      completionCandidates = Names.class)
  String name;

  @Option(
      names = "--quick",
      description =
          "Tiny counts, a few seconds each (CI: checks the benches run, not their figures).")
  boolean quick;

  @Option(
      names = "--no-peers",
      description = "Measure ztchat only; skip OpenSSL, Mosquitto, nginx and PostgreSQL.")
  boolean noPeers;

  @Override
  public Integer call() throws Exception {
    List<Benchmark> chosen =
        name.equals("all")
            ? Benchmarks.all()
            : List.of(
                Benchmarks.byName(name)
                    .orElseThrow(
                        () ->
                            new UserError(
                                "no bench '"
                                    + name
                                    + "': use all or one of "
                                    + String.join(", ", Benchmarks.names()),
                                2)));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    List<Figure> figures = BenchRunner.run(chosen, new BenchOptions(quick, !noPeers, out));
    long benchesWithFigures =
        chosen.stream()
            .filter(b -> figures.stream().anyMatch(f -> f.bench().equals(b.name())))
            .count();
    return benchesWithFigures == chosen.size() ? 0 : 1;
  }

  /** The bench names, for the help text. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Benchmarks.names().iterator();
    }
  }
}
