package dev.ztchat.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program of this machine that a test runs (promtool, systemd-analyze): found on the PATH, or the
 * calling test is skipped, naming the Debian package that brings it (.ci/run installs those CI
 * needs).
 */
public final class HostProgram {
  private HostProgram() {}

  /** The program's path, or null when no PATH entry holds it. */
  public static Path find(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** The program's path; skips the calling test, saying why, when it is not installed. */
  public static Path require(String program, String debianPackage) {
    Path p = find(program);
    assumeTrue(p != null, program + " is not installed (Debian package " + debianPackage + ")");
    return p;
  }
}
