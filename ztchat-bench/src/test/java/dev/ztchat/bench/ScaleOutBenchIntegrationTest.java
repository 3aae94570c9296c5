package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The scale-out bench in quick mode, end to end: a throw-away PostgreSQL from
 * scripts/dev-postgres.sh, 1, 2 and 3 relay node processes on it and 1 on SQLite, real mTLS clients
 * sending version-2 envelopes in binary frames; every setup gives its rows, every envelope arrives
 * once, and the store's work per message is counted on both stores: across nodes, one enqueue and
 * one delete per message. No timing is judged. Skipped without PostgreSQL's programs.
 */
class ScaleOutBenchIntegrationTest {
  private static final int SETUPS = ScaleOutBench.SETUPS.size();

  @Test
  void quickMode_runsEverySetupAcrossNodes_withNoEnvelopeLostOrShownTwice() throws Exception {
    assumeTrue(postgresInstalled(), "PostgreSQL is not installed: the scale-out bench's rows skip");
    List<Figure> figures = run(true);
    String lossFree = "lost 0 of 300, shown twice 0";
    assertThat(figures).hasSize(SETUPS * 3 + SETUPS - 1);
    assertThat(figures)
        .filteredOn(f -> f.metric().endsWith("messages/s"))
        .hasSize(SETUPS)
        .allSatisfy(
            f -> {
              assertThat(f.ours()).as(f.metric()).isPositive();
              assertThat(f.note()).as(f.metric()).startsWith(lossFree);
              // the load of the relay bench's target rows: version 2 in binary frames
              assertThat(f.note()).as(f.metric()).endsWith("version 2, binary frames");
              assertThat(f.ratio()).isPositive();
            });
    assertThat(figures)
        .filteredOn(f -> f.metric().contains("3 nodes") && f.metric().endsWith("messages/s"))
        .singleElement()
        .satisfies(f -> assertThat(f.note()).contains("every message crosses nodes"));
    assertThat(figures)
        .filteredOn(f -> f.metric().endsWith("p99 latency µs at fixed load"))
        .allSatisfy(f -> assertThat(f.ours()).as(f.metric()).isPositive());
    // the relay's own count on both stores; the database's statements on PostgreSQL
    assertThat(figures)
        .filteredOn(f -> f.metric().endsWith("store transactions per 1,000 messages"))
        .hasSize(SETUPS)
        .allSatisfy(f -> assertThat(f.ours()).as(f.metric()).isFinite().isPositive());
    assertThat(figures)
        .filteredOn(f -> f.metric().endsWith("PostgreSQL statements per message"))
        .hasSize(SETUPS - 1)
        .allSatisfy(
            f -> {
              // counted; how many is the figure (one node acknowledges most from memory: none)
              assertThat(f.ours()).as(f.metric()).isFinite().isPositive();
              assertThat(f.note()).contains("INSERT").contains("DELETE");
            });
    // across nodes every envelope is enqueued once, counted per message received; it is deleted
    // once, by a DELETE that the receivers' batched acknowledgements share (at most one per
    // message); the recipient's lock is taken once per transaction (at most one per message)
    assertThat(figures)
        .filteredOn(
            f -> f.metric().contains("nodes PostgreSQL") && f.metric().endsWith("per message"))
        .hasSize(SETUPS - 2)
        .allSatisfy(
            f ->
                assertThat(f.note())
                    .as(f.metric())
                    .contains("INSERT queue 1.00,")
                    .containsPattern("DELETE queue (0\\.\\d\\d|1\\.00)[,;]")
                    // one lock per recipient per store transaction: at most one per message
                    .containsPattern("LOCK (0\\.\\d\\d|1\\.00)[,;]"));
  }

  @Test
  void withPeersDisabled_theSqliteRowsRun_andThePostgresRowsSaySkipped() throws Exception {
    List<Figure> figures = run(false);
    assertThat(figures)
        .filteredOn(f -> f.metric().startsWith("1 node SQLite"))
        .hasSize(3)
        .allSatisfy(f -> assertThat(f.ours()).as(f.metric()).isFinite().isPositive());
    assertThat(figures)
        .filteredOn(f -> f.metric().contains("PostgreSQL"))
        .hasSize((SETUPS - 1) * 4)
        .allSatisfy(
            f -> {
              assertThat(f.ours()).isNaN();
              assertThat(f.note()).endsWith("peer skipped");
            });
  }

  private static List<Figure> run(boolean peers) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (BenchPki pki = BenchPki.create(2048)) {
      List<Figure> figures =
          new ScaleOutBench()
              .run(
                  new BenchOptions(true, peers, new PrintStream(log, true, StandardCharsets.UTF_8)),
                  pki);
      System.out.println(log.toString(StandardCharsets.UTF_8));
      figures.forEach(f -> System.out.println(f.line()));
      return figures;
    }
  }

  private static boolean postgresInstalled() {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.anyMatch(v -> Files.isExecutable(v.resolve("bin/initdb")));
    } catch (IOException e) {
      return false;
    }
  }
}
