package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testkit.Polling;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code ./ztchat} launcher as separate processes, as a user would: pki init, a
 * server, recv and send, and the demo. (The launcher is told not to rebuild: this runs inside the
 * build, after the jar was packaged.)
 */
class LauncherEndToEndIT {
  static final Path LAUNCHER = Path.of("..", "ztchat").toAbsolutePath().normalize();

  @TempDir Path dir;
  final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(Process::destroy);
  }

  record Result(int exit, String out, String err) {}

  Process start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(LAUNCHER.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().put("ZTCHAT_SKIP_BUILD", "1");
    pb.environment().put("HOME", dir.toString());
    // The JVM takes user.home from the password database, not $HOME: without this, client state
    // (pinned keys) would land in the real home folder and leak between runs.
    // Its own temporary folder too, so that what it leaves there is told apart from what other
    // processes on this machine leave in /tmp.
    Files.createDirectories(tmp());
    pb.environment().put("ZTCHAT_JAVA_OPTS", "-Duser.home=" + dir + " -Djava.io.tmpdir=" + tmp());
    pb.redirectOutput(log.toFile());
    pb.redirectError(dir.resolve(log.getFileName() + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /** The launched JVMs' {@code java.io.tmpdir}. */
  Path tmp() {
    return dir.resolve("tmp");
  }

  Result run(Duration timeout, String... args) throws Exception {
    Path log = Files.createTempFile(dir, "out", ".txt");
    Process p = start(log, args);
    assertThat(p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS))
        .as("ztchat %s finishes", List.of(args))
        .isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(log),
        Files.readString(dir.resolve(log.getFileName() + ".err")));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Waits (bounded) until the process writing {@code file} has written {@code text} to it. */
  static void awaitWritten(Path file, String text) throws InterruptedException {
    assertThat(
            Polling.eventually(
                Duration.ofSeconds(30),
                () -> {
                  try {
                    return Files.exists(file) && Files.readString(file).contains(text);
                  } catch (IOException e) {
                    return false;
                  }
                }))
        .as("%s shows '%s'", file.getFileName(), text)
        .isTrue();
  }

  @Test
  void pkiInit_server_recv_send_deliverOneMessageEndToEnd() throws Exception {
    Result init =
        run(Duration.ofMinutes(2), "pki", "init", "--key-size", "2048", "--users", "alice,bob");
    assertThat(init.exit()).as(init.err()).isZero();

    int port = freePort();
    Path serverLog = dir.resolve("server.txt");
    start(
        serverLog,
        "server",
        "--port",
        String.valueOf(port),
        "--crl-port",
        String.valueOf(freePort()));
    Path serverErr = dir.resolve("server.txt.err");
    awaitWritten(serverErr, "listening on");

    Path recvLog = dir.resolve("recv.txt");
    Process recv =
        start(
            recvLog,
            "recv",
            "--identity",
            "bob",
            "--server",
            "localhost:" + port,
            "--count",
            "1",
            "--timeout",
            "60s");
    Path recvErr = dir.resolve("recv.txt.err");
    awaitWritten(recvErr, "waiting for messages");

    Result send =
        run(
            Duration.ofSeconds(60),
            "send",
            "--identity",
            "alice",
            "--to",
            "bob",
            "--server",
            "localhost:" + port,
            "hello from a process");
    assertThat(send.exit()).as(send.err()).isZero();

    assertThat(recv.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(recv.exitValue()).as(Files.readString(recvErr)).isZero();
    assertThat(Files.readString(recvLog, StandardCharsets.UTF_8))
        .isEqualTo("alice: hello from a process\n");
    // the relay never logs plaintext
    assertThat(Files.readString(serverErr)).doesNotContain("hello from a process");

    // bob is offline now: the relay stores the message, and bob gets it when he connects
    Result offline =
        run(
            Duration.ofSeconds(60),
            "send",
            "--identity",
            "alice",
            "--to",
            "bob",
            "--server",
            "localhost:" + port,
            "while you were away");
    assertThat(offline.exit()).as(offline.err()).isZero();
    assertThat(offline.out())
        .contains("accepted for bob")
        .contains("delivers it when they are online");
    Result later =
        run(
            Duration.ofSeconds(60),
            "recv",
            "--identity",
            "bob",
            "--server",
            "localhost:" + port,
            "--count",
            "1",
            "--timeout",
            "30s");
    assertThat(later.exit()).as(later.err()).isZero();
    assertThat(later.out()).isEqualTo("alice: while you were away\n");

    Result unknown =
        run(
            Duration.ofSeconds(60),
            "send",
            "--identity",
            "alice",
            "--to",
            "zed",
            "--server",
            "localhost:" + port,
            "hi");
    assertThat(unknown.exit()).isEqualTo(4);
  }

  @Test
  void recv_timesOutWithNonZeroExit() throws Exception {
    assertThat(run(Duration.ofMinutes(2), "pki", "init", "--key-size", "2048").exit()).isZero();
    int port = freePort();
    start(
        dir.resolve("server.txt"),
        "server",
        "--port",
        String.valueOf(port),
        "--crl-port",
        String.valueOf(freePort()));
    awaitWritten(dir.resolve("server.txt.err"), "listening on");
    Result r =
        run(
            Duration.ofSeconds(60),
            "recv",
            "--identity",
            "bob",
            "--server",
            "localhost:" + port,
            "--timeout",
            "2s");
    assertThat(r.exit()).isEqualTo(5);
    assertThat(r.err()).contains("timed out");
  }

  @Test
  void send_withoutServer_failsWithAClearMessage() throws Exception {
    assertThat(run(Duration.ofMinutes(2), "pki", "init", "--key-size", "2048").exit()).isZero();
    Result r =
        run(
            Duration.ofSeconds(60),
            "send",
            "--identity",
            "alice",
            "--to",
            "bob",
            "--server",
            "localhost:" + freePort(),
            "hi");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("is the server running");
    assertThat(r.err()).doesNotContain("Exception");
  }

  @Test
  void demo_showsTheExchangeAndTheAttacksBeingStopped() throws Exception {
    Result demo = run(Duration.ofMinutes(3), "demo", "--key-size", "2048");
    assertThat(demo.exit()).as(demo.err()).isZero();
    assertThat(demo.out())
        .contains("bob sees  >> alice: Hi Bob! The relay cannot read this.")
        .contains("alice sees >> bob: Hi Alice, loud and clear.")
        .contains("[!] Replay dropped from alice")
        .contains("bad signature")
        .contains("Spoofing detected")
        .contains("bob sees  >> alice: Running late, see you at 12:30.")
        .contains("bob sees   >> #team alice: Welcome to #team, everyone.")
        .contains("carol sees >> #team alice: Welcome to #team, everyone.")
        .contains("alice's phone shows >> #team alice: Welcome to #team, everyone.")
        .contains("cut alice's connection")
        .contains("bob's client refuses to encrypt to her: the certificate of 'alice' was revoked");
    // the relay's security events are lines of the narrative, not raw log lines on stderr
    assertThat(demo.out()).contains("    log: [!] Spoofing detected.");
    assertThat(demo.err()).doesNotContain("WARN").doesNotContain("SECURITY event=");
    // cleaned up after itself
    try (var left = Files.list(tmp())) {
      assertThat(left.map(Path::toString).filter(s -> s.contains("ztchat-demo-")).toList())
          .isEmpty();
    }
  }
}
