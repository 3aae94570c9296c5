package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The crypto bench in quick mode, with {@code openssl speed} when it is installed: every v1 and v2
 * figure is produced, and each floor is filled in when OpenSSL ran. No timing is judged.
 */
@ResourceLock(CryptoBenchIntegrationTest.JMH) // one JMH run at a time (its lock file)
class CryptoBenchIntegrationTest {
  /** JMH refuses to start while another run in this JVM holds its lock file. */
  static final String JMH = "jmh";

  private static final List<String> V2_METRICS =
      List.of(
          "v2 seal+open per message, µs",
          "v2 seal+open per message vs v1, µs",
          "v2 session setup, µs",
          "ML-KEM-768 encapsulations/s, JDK",
          "ML-KEM-768 decapsulations/s, JDK",
          "ECDSA P-256 sign/s, JDK",
          "ECDSA P-256 verify/s, JDK",
          "X25519 agreements/s, JDK",
          "AES-256-GCM MB/s at 256 B, JDK");

  @Test
  void quickRun_producesV1AndV2Figures_besideTheirFloors() throws Exception {
    boolean openssl = PeerProcess.find("openssl").isPresent();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<Figure> figures;
    try (BenchPki pki = BenchPki.create(2048)) {
      figures =
          new CryptoBench()
              .run(
                  new BenchOptions(true, true, new PrintStream(log, true, StandardCharsets.UTF_8)),
                  pki);
    }
    String text = log.toString(StandardCharsets.UTF_8);

    // beside version 1 of the same run, with or without OpenSSL
    assertThat(figures)
        .filteredOn(f -> f.metric().equals("v2 seal+open per message vs v1, µs"))
        .singleElement()
        .satisfies(f -> assertThat(f.ratio()).isPositive().isFinite());
    for (String metric : V2_METRICS) {
      assertThat(figures)
          .as(metric + "\n" + text)
          .filteredOn(f -> f.metric().equals(metric))
          .singleElement()
          .satisfies(f -> assertThat(f.ours()).isPositive().isFinite());
    }
    if (openssl) {
      for (String metric :
          List.of(
              "seal+open per message, µs",
              "v2 seal+open per message, µs",
              "v2 session setup, µs",
              "ECDSA P-256 sign/s, JDK",
              "ECDSA P-256 verify/s, JDK",
              "X25519 agreements/s, JDK",
              "AES-256-GCM MB/s at 256 B, JDK")) {
        assertThat(figures)
            .as(metric + "\n" + text)
            .filteredOn(f -> f.metric().equals(metric))
            .singleElement()
            .satisfies(f -> assertThat(f.ratio()).isPositive().isFinite());
      }
    }
  }
}
