package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Every bench runs in quick mode against a real in-process (or child-process) relay over mTLS and
 * produces its figures, so the benchmarks cannot rot. Peers are off here (CI may lack them) and no
 * timing is asserted: only that each bench measured something and its messages all arrived.
 */
@ResourceLock(CryptoBenchIntegrationTest.JMH) // one JMH run at a time (its lock file)
class BenchQuickIntegrationTest {
  @Test
  void everyBench_inQuickMode_producesItsFigures() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<Figure> figures =
        BenchRunner.run(
            Benchmarks.all(),
            new BenchOptions(true, false, new PrintStream(log, true, StandardCharsets.UTF_8)));
    String text = log.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("BENCH_FAILED");
    for (String name : Benchmarks.names()) {
      // a figure was produced; its value is not judged (quick mode, tiny counts: memory deltas can
      // even come out negative after a GC)
      assertThat(figures)
          .as(name + "\n" + text)
          .anyMatch(f -> f.bench().equals(name) && Double.isFinite(f.ours()));
    }
    assertThat(figures)
        .filteredOn(f -> f.bench().equals("capacity") && f.metric().equals("connections dropped"))
        .singleElement()
        .satisfies(f -> assertThat(f.ours()).isZero());
    // the hybrid group against the relay, and the first seconds of a fresh relay JVM
    assertThat(figures)
        .as(text)
        .filteredOn(f -> f.metric().equals("full mTLS handshakes/s, X25519MLKEM768"))
        .singleElement()
        .satisfies(f -> assertThat(f.ours()).isPositive());
    assertThat(figures)
        .as(text)
        .filteredOn(f -> f.metric().startsWith("handshakes/s in the first"))
        .hasSize(2)
        .anySatisfy(
            f -> {
              assertThat(f.metric()).endsWith("relay JVM without cache");
              assertThat(f.ours()).isFinite();
            })
        // the cache needs a class path of jars only (as the launcher's); here it may say why not
        .anySatisfy(
            f -> {
              assertThat(f.metric()).endsWith("relay JVM with AOT cache");
              assertThat(Double.isFinite(f.ours()) || f.note().startsWith("no relay AOT cache"))
                  .as(f.note())
                  .isTrue();
            });
    assertThat(figures)
        .filteredOn(f -> f.bench().equals("store"))
        .allSatisfy(
            f ->
                assertThat(f.note())
                    .satisfiesAnyOf(
                        n -> assertThat(n).startsWith("1,000 of 1,000 accepted, 1,000 drained"),
                        n -> assertThat(n).startsWith("drain alone"),
                        // the PostgreSQL rows, without peers
                        n -> assertThat(n).startsWith("peers disabled: PostgreSQL not started")));
    // the target rows on version 2 in binary frames, version 1 in JSON beside them
    for (String bench : List.of("relay", "store")) {
      assertThat(figures)
          .as(text)
          .filteredOn(f -> f.bench().equals(bench) && Double.isFinite(f.target()))
          .isNotEmpty()
          .allSatisfy(f -> assertThat(f.note()).contains("version 2, binary frames"));
      assertThat(figures)
          .as(text)
          .filteredOn(f -> f.bench().equals(bench) && f.metric().endsWith("version 1, JSON frames"))
          .isNotEmpty()
          .allSatisfy(f -> assertThat(f.target()).isNaN());
    }
  }
}
