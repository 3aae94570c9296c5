package dev.ztchat.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server for one test class, started and removed through {@code
 * scripts/dev-postgres.sh} (so the tests run what a developer runs), each test taking a fresh
 * database from {@link #newDatabase}: {@link #start} in {@code @BeforeAll}, {@link #close} in
 * {@code @AfterAll}. Without PostgreSQL's programs on this machine the class is skipped, saying so;
 * .ci/run installs them, so in CI it runs.
 */
public final class DevPostgres implements AutoCloseable {
  private final AtomicInteger databases = new AtomicInteger();
  private final Path state;
  private final String baseUrl;

  private DevPostgres(Path state) throws IOException, InterruptedException {
    this.state = state;
    this.baseUrl = run(state, "start").strip();
  }

  /** True when Debian's PostgreSQL programs are installed. */
  public static boolean available() {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.anyMatch(v -> Files.isExecutable(v.resolve("bin/initdb")));
    } catch (IOException e) {
      return false;
    }
  }

  static Path script() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path s = d.resolve("scripts/dev-postgres.sh");
      if (Files.isRegularFile(s)) {
        return s;
      }
    }
    throw new IllegalStateException("scripts/dev-postgres.sh not found above " + Path.of(""));
  }

  /** Starts a server (the calling test is skipped, saying why, when PostgreSQL is absent). */
  public static DevPostgres start() throws IOException, InterruptedException {
    assumeTrue(
        available(),
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the PostgreSQL store"
            + " tests are skipped; install Debian's postgresql package (.ci/run does)");
    return new DevPostgres(Files.createTempDirectory("ztchat-pg-state"));
  }

  /** Stops the server and removes its files. */
  @Override
  public void close() throws IOException, InterruptedException {
    run(state, "stop");
    Files.deleteIfExists(state);
  }

  private static String run(Path state, String... command)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("bash", script().toString()));
    argv.addAll(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(argv);
    Map<String, String> env = pb.environment();
    env.put("ZTCHAT_PG_STATE", state.resolve("s").toString());
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(
          "scripts/dev-postgres.sh " + String.join(" ", command) + " did not finish in 120 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "scripts/dev-postgres.sh " + String.join(" ", command) + " failed: rc " + p.exitValue());
    }
    return out;
  }

  /** The server's own database, as {@code postgresql://user:password@127.0.0.1:port/ztchat}. */
  public String url() {
    return baseUrl;
  }

  /** A new, empty database on this server; its URL in the form {@code --store} takes. */
  public String newDatabase() throws IOException, InterruptedException {
    return run(state, "createdb", "t" + databases.incrementAndGet()).strip();
  }
}
