package dev.ztchat.server.aot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A relay JVM started as a child process: how it is ended, and what its log last said. */
public final class ChildJvm {
  private ChildJvm() {}

  /** Closes the child's input, which ends a relay started so; true when it then exited with 0. */
  public static boolean stop(Process child) throws InterruptedException {
    try {
      child.getOutputStream().close();
    } catch (IOException e) {
      // the process is gone already: its exit code says how it ended
    }
    if (!child.waitFor(2, TimeUnit.MINUTES)) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return false;
    }
    return child.exitValue() == 0;
  }

  /** The last five lines of {@code log}, joined, for an error message. */
  public static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}
