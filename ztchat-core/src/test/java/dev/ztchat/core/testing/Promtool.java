package dev.ztchat.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code promtool check metrics}, Prometheus's own lint of the text format and its naming
 * conventions, run on a scrape; the calling test is skipped where promtool is missing (.ci/run
 * installs Debian's prometheus package, so in CI it runs).
 */
public final class Promtool {
  private Promtool() {}

  /** Asserts that promtool accepts {@code metrics} and has nothing to say about them. */
  public static void assertAccepts(String metrics) throws Exception {
    Path promtool = HostProgram.require("promtool", "prometheus; .ci/run installs it in CI");
    Path input = Files.createTempFile("ztchat-metrics", ".txt");
    try {
      Files.writeString(input, metrics);
      Process p =
          new ProcessBuilder(promtool.toString(), "check", "metrics")
              .redirectInput(input.toFile())
              .redirectErrorStream(true)
              .start();
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finishes").isTrue();
      assertThat(p.exitValue()).as(said).isZero();
      assertThat(said).as("promtool's lint findings").isBlank();
    } finally {
      Files.deleteIfExists(input);
    }
  }
}
