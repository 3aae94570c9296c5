package dev.ztchat.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's own checks: {@code promtool check metrics} (the text format and its naming
 * conventions) on a scrape, {@code promtool check rules} on alerting rules. The calling test is
 * skipped where promtool is missing (.ci/run installs Debian's prometheus package, so in CI it
 * runs).
 */
public final class Promtool {
  private Promtool() {}

  /** Asserts that promtool accepts {@code metrics} and has nothing to say about them. */
  public static void assertAccepts(String metrics) throws Exception {
    String said = run(metrics, "check", "metrics");
    assertThat(said).as("promtool's lint findings").isBlank();
  }

  /**
   * Asserts that {@code promtool check rules} accepts {@code rules} (a Prometheus rule file);
   * returns what it said ("SUCCESS: N rules found").
   */
  public static String assertRulesAccepted(String rules) throws Exception {
    Path file = Files.createTempFile("ztchat-rules", ".yml");
    try {
      Files.writeString(file, rules);
      return run("", "check", "rules", file.toString());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** Runs promtool with {@code input} on its standard input; asserts exit 0, returns its output. */
  private static String run(String input, String... args) throws Exception {
    Path promtool = HostProgram.require("promtool", "prometheus; .ci/run installs it in CI");
    Path in = Files.createTempFile("ztchat-promtool", ".txt");
    try {
      Files.writeString(in, input);
      List<String> command = new ArrayList<>(List.of(promtool.toString()));
      command.addAll(List.of(args));
      Process p =
          new ProcessBuilder(command).redirectInput(in.toFile()).redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finishes").isTrue();
      assertThat(p.exitValue()).as(said).isZero();
      return said;
    } finally {
      Files.deleteIfExists(in);
    }
  }
}
