package dev.ztchat.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A peer server (Mosquitto, nginx) started by a bench from its own configuration in a temporary
 * folder, listening on 127.0.0.1 only; never the system service. Closing stops it and its children.
 */
final class PeerProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final int port;
  private final int secondPort;

  /** Stops the peer if the bench is ended before it could close it (Ctrl-C, kill). */
  private final Thread stopOnExit;

  private PeerProcess(String name, Process process, int port, int secondPort) {
    this.stopOnExit =
        new Thread(
            () -> {
              process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
              process.destroyForcibly();
            },
            "stop-" + name);
    this.name = name;
    this.process = process;
    this.port = port;
    this.secondPort = secondPort;
  }

  /** The program's absolute path, if installed ({@code PATH} and /usr/sbin searched). */
  static Optional<Path> find(String program) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin:/sbin";
    for (String dir : path.split(":")) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, program);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** A free TCP port on 127.0.0.1. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Starts {@code command} in {@code dir} and waits until 127.0.0.1:{@code port} accepts. */
  static PeerProcess start(String name, List<String> command, Path dir, int port, int secondPort)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile())
            .start();
    PeerProcess peer = new PeerProcess(name, p, port, secondPort);
    Runtime.getRuntime().addShutdownHook(peer.stopOnExit);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException(
            name + " exited at start: " + Files.readString(dir.resolve(name + ".log")).strip());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return peer;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    peer.close();
    throw new IOException(name + " did not listen on 127.0.0.1:" + port + " within 10 s");
  }

  int port() {
    return port;
  }

  /** A second listener, when the peer has one (nginx's HTTP port), else -1. */
  int secondPort() {
    return secondPort;
  }

  String name() {
    return name;
  }

  /** Resident memory of the process and its children, in bytes (from /proc). */
  long rssBytes() {
    return Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants())
        .mapToLong(h -> rssOf(h.pid()))
        .sum();
  }

  static long rssOf(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: it stops the process
    }
    process.toHandle().descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
