package dev.ztchat.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sqlite.util.OSInfo;

/**
 * The training run of the start-up cache: does once, in a throw-away folder, what the one-shot
 * commands do (send, recv, help; the certificates and the relay they use come from JVMs of their
 * own), so that a JVM started with {@code -XX:AOTCacheOutput} records the classes they load and
 * link. The {@code ztchat} launcher runs it after a build; the cache only makes later starts
 * faster, and nothing here is kept.
 *
 * <p>Given a folder, it first copies SQLite's native library for this platform there, so that the
 * launcher can point sqlite-jdbc at it: otherwise every start finds the platform (running {@code
 * uname}) and unpacks the library to a temporary file again.
 */
final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 1) {
      placeSqliteLibrary(Path.of(args[0]));
    }
    Path dir = Files.createTempDirectory("ztchat-aot-training");
    try {
      train(dir);
    } finally {
      deleteTree(dir);
    }
    System.exit(0); // the clients' non-daemon threads must not keep the JVM alive
  }

  private static void train(Path dir) throws Exception {
    Path certs = dir.resolve("certs");
    // The certificates and the relay come from JVMs of their own: the cache is for the client
    // commands, and issuing (or the relay's CRL handling) loads Bouncy Castle, whose signed jars
    // the
    // cache cannot hold; a cached class that refers to them would load them at every start.
    inOwnJvm("pki", "init", "--dir", certs.toString(), "--key-size", "2048").waitFor();
    OwnJvm relayProcess =
        inOwnJvm(
            "server",
            "--certs",
            certs.toString(),
            "--data",
            dir.resolve("relay").toString(),
            "--port",
            "0",
            "--crl-port",
            "0");
    try {
      String relay = "localhost:" + listeningPort(relayProcess);
      for (int i = 0; i < 2; i++) {
        expect(
            0,
            "send",
            "--server",
            relay,
            "--certs",
            certs.toString(),
            "--data",
            dir.resolve("alice").toString(),
            "--identity",
            "alice",
            "--to",
            "bob",
            "training " + i);
      }
      expect(
          0,
          "recv",
          "--server",
          relay,
          "--certs",
          certs.toString(),
          "--data",
          dir.resolve("bob").toString(),
          "--identity",
          "bob",
          "--count",
          "2",
          "--timeout",
          "60s");
    } finally {
      relayProcess.destroy();
      relayProcess.waitFor(30, TimeUnit.SECONDS);
    }
    expect(0, "--help");
    expect(0, "send", "--help");
    expect(2, "send", "--to");
  }

  private static void placeSqliteLibrary(Path folder) throws IOException {
    String name = System.mapLibraryName("sqlitejdbc");
    String resource =
        "/org/sqlite/native/" + OSInfo.getNativeLibFolderPathForCurrentOS() + "/" + name;
    try (InputStream in = OSInfo.class.getResourceAsStream(resource)) {
      if (in == null) {
        return; // a platform sqlite-jdbc has no library for: it finds one its own way
      }
      Files.createDirectories(folder);
      Path tmp = Files.createTempFile(folder, name, ".tmp");
      try {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            tmp,
            folder.resolve(name),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** {@code ztchat ARGS} in a JVM of its own; its output goes to this one's, line by line. */
  private static OwnJvm inOwnJvm(String... args) throws IOException {
    List<String> command = ThisClasspathJava.command(List.of(), Main.class, List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new OwnJvm(
        String.join(" ", args),
        p,
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
  }

  private record OwnJvm(String what, Process process, BufferedReader output) {
    /** Waits for it to exit 0 (copying its output), or fails the training. */
    void waitFor() throws IOException, InterruptedException {
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        System.out.println(line);
      }
      if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("training step " + what + " failed");
      }
    }

    void destroy() {
      process.destroy();
    }

    void waitFor(long timeout, TimeUnit unit) throws InterruptedException {
      if (!process.waitFor(timeout, unit)) {
        process.destroyForcibly();
      }
    }
  }

  /**
   * The port a {@code server} prints it listens on ("... listening on 127.0.0.1:PORT with ...").
   */
  private static int listeningPort(OwnJvm server) throws IOException {
    Pattern listening = Pattern.compile("listening on \\S+:(\\d+) ");
    for (String line = server.output().readLine();
        line != null;
        line = server.output().readLine()) {
      System.out.println(line);
      Matcher m = listening.matcher(line);
      if (m.find()) {
        Thread.ofVirtual().start(() -> drain(server.output()));
        return Integer.parseInt(m.group(1));
      }
    }
    throw new IllegalStateException("the training relay stopped before it listened");
  }

  private static void drain(BufferedReader output) {
    try {
      while (output.readLine() != null) {
        // the relay's log: not needed once it listens
      }
    } catch (IOException e) {
      // the relay stopped
    }
  }

  private static void expect(int exitCode, String... args) {
    int got = Main.run(args);
    if (got != exitCode) {
      throw new IllegalStateException("training step " + String.join(" ", args) + " exited " + got);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
