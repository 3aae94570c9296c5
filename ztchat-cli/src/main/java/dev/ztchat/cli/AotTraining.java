package dev.ztchat.cli;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.sqlite.util.OSInfo;

/**
 * The training run of the start-up cache: does once, in a throw-away folder, what the one-shot
 * commands do (pki init, send, recv, help), so that a JVM started with {@code -XX:AOTCacheOutput}
 * records the classes they load and link. The {@code ztchat} launcher runs it after a build; the
 * cache only makes later starts faster, and nothing here is kept.
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
    System.exit(0); // the relay's and clients' non-daemon threads must not keep the JVM alive
  }

  private static void train(Path dir) throws Exception {
    Path certs = dir.resolve("certs");
    expect(0, "pki", "init", "--dir", certs.toString(), "--key-size", "2048");
    expect(0, "pki", "list", "--dir", certs.toString());
    try (RelayServer server = RelayServer.start(RelayServerConfig.defaults(new CertsLayout(certs), dir.resolve("relay"))
        .withPort(0))) {
      String relay = "localhost:" + server.port();
      for (int i = 0; i < 2; i++) {
        expect(0, "send", "--server", relay, "--certs", certs.toString(), "--data", dir.resolve("alice").toString(),
            "--identity", "alice", "--to", "bob", "training " + i);
      }
      expect(0, "recv", "--server", relay, "--certs", certs.toString(), "--data", dir.resolve("bob").toString(),
          "--identity", "bob", "--count", "2", "--timeout", "60s");
    }
    expect(0, "--help");
    expect(0, "send", "--help");
    expect(2, "send", "--to");
  }

  private static void placeSqliteLibrary(Path folder) throws IOException {
    String name = System.mapLibraryName("sqlitejdbc");
    String resource = "/org/sqlite/native/" + OSInfo.getNativeLibFolderPathForCurrentOS() + "/" + name;
    try (InputStream in = OSInfo.class.getResourceAsStream(resource)) {
      if (in == null) {
        return; // a platform sqlite-jdbc has no library for: it finds one its own way
      }
      Files.createDirectories(folder);
      Path tmp = Files.createTempFile(folder, name, ".tmp");
      try {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
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
