package dev.ztchat.bench;

import dev.ztchat.server.aot.ChildJvm;
import dev.ztchat.server.aot.RelayJvmOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The relay in a JVM of its own ({@link RelayMain}), started cold for the handshake bench's rows
 * about the first seconds after a start (with the JVM options given: an ahead-of-time cache to use
 * or to write), and as one node of the scale-out bench (with a {@code --store}), its output in a
 * file. Closing it closes the relay's standard input, which ends the JVM normally, so a training
 * JVM writes its cache; a JVM that has not ended within two minutes is killed.
 */
final class RelayProcess implements AutoCloseable {
  private static final String PORT = "PORT ";
  private static final String STORE = "STORE ";

  private final Process process;
  private final Path log;
  private final int port;
  private final long startedAtNanos;
  private final long listeningAfterNanos;

  private RelayProcess(
      Process process, Path log, int port, long startedAtNanos, long listeningAfterNanos) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.startedAtNanos = startedAtNanos;
    this.listeningAfterNanos = listeningAfterNanos;
  }

  /** Starts a relay on {@code pki} with {@code jvmOptions}; returns once it listens. */
  static RelayProcess start(BenchPki pki, List<String> jvmOptions)
      throws IOException, InterruptedException {
    return start(pki, jvmOptions, "");
  }

  /**
   * As {@link #start(BenchPki, List)}, on the store {@code store} names ({@code --store}: empty for
   * SQLite in its own data folder, else a PostgreSQL URL).
   */
  static RelayProcess start(BenchPki pki, List<String> jvmOptions, String store)
      throws IOException, InterruptedException {
    Path dir = pki.newFolder("relay-process-");
    Path log = dir.resolve("relay.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(RelayJvmOptions.options());
    command.addAll(jvmOptions);
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(RelayMain.class.getName());
    command.add(pki.layout().root().toString());
    command.add(dir.resolve("data").toString());
    if (!store.isEmpty()) {
      command.add(store);
    }
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.startsWith(PORT)) {
          int port = Integer.parseInt(line.substring(PORT.length()).strip());
          return new RelayProcess(p, log, port, t0, System.nanoTime() - t0);
        }
      }
      if (!p.isAlive()) {
        throw new IOException("the relay process exited at start: " + ChildJvm.tail(log));
      }
      Thread.sleep(5);
    }
    p.destroyForcibly();
    throw new IOException("the relay process did not listen within 60 s: " + ChildJvm.tail(log));
  }

  int port() {
    return port;
  }

  /** The relay JVM's process id. */
  long pid() {
    return process.pid();
  }

  /** {@link System#nanoTime()} just before the JVM was started. */
  long startedAtNanos() {
    return startedAtNanos;
  }

  /** Milliseconds from starting the JVM to the relay listening (as seen by polling its output). */
  double listeningAfterMillis() {
    return listeningAfterNanos / 1e6;
  }

  /** The relay's own store counters now ({@link RelayMain}'s {@code store} command). */
  StoreCounters storeCounters() throws IOException, InterruptedException {
    long asked = answers();
    process.getOutputStream().write("store\n".getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      List<String> answers =
          Files.readAllLines(log, StandardCharsets.UTF_8).stream()
              .filter(l -> l.startsWith(STORE))
              .toList();
      if (answers.size() > asked) {
        return StoreCounters.parse(answers.getLast().substring(STORE.length()));
      }
      if (!process.isAlive()) {
        throw new IOException("the relay process exited: " + ChildJvm.tail(log));
      }
      Thread.sleep(5);
    }
    throw new IOException("the relay process did not answer within 30 s: " + ChildJvm.tail(log));
  }

  private long answers() throws IOException {
    return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
        .filter(l -> l.startsWith(STORE))
        .count();
  }

  /** The last lines of the process's output, for an error message. */
  String tail() {
    return ChildJvm.tail(log);
  }

  /** Ends the relay (its stdin closes) and waits for the JVM; true when it exited with 0. */
  boolean stop() throws InterruptedException {
    return ChildJvm.stop(process);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }
}
