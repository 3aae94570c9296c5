package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@code send} loads, in a JVM of its own that logs every class it loads: the start-up cost
 * of a one-shot command is mostly classes, and these are the ones it does not need. Bouncy Castle
 * comes from signed jars, which the start-up cache cannot hold and the JVM checks signature by
 * signature; the other commands' models are built by reflection when registered; the terminal front
 * end is for {@code client} only.
 */
class SendStartupPathTest {
  @TempDir Path dir;
  TestPki pki;
  Path certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    certs = dir.resolve("certs");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(certs), dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void send_loadsNeitherBouncyCastleNorOtherCommandsNorTheTerminal() throws Exception {
    Path classLog = dir.resolve("classes.log");
    Process send =
        java(
            classLog,
            "send",
            "--identity",
            "alice",
            "--to",
            "bob",
            "--server",
            "localhost:" + server.port(),
            "--certs",
            certs.toString(),
            "--data",
            dir.resolve("alice").toString(),
            "hello");
    assertThat(send.waitFor(120, TimeUnit.SECONDS)).as("send finished").isTrue();
    String output = new String(send.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(send.exitValue()).as(output).isZero();
    assertThat(output).contains("accepted for bob");

    List<String> loaded = Files.readAllLines(classLog);
    assertThat(loaded)
        .as("the JVM logged the classes it loaded")
        .anyMatch(l -> l.contains("dev.ztchat.cli.SendCommand"));
    assertThat(loaded).noneMatch(l -> l.contains(" org.bouncycastle."));
    assertThat(loaded)
        .noneMatch(
            l ->
                l.contains(" dev.ztchat.cli.PkiCommand")
                    || l.contains(" dev.ztchat.cli.ServerCommand")
                    || l.contains(" dev.ztchat.cli.ClientCommand")
                    || l.contains(" dev.ztchat.cli.DemoCommand"));
    assertThat(loaded).noneMatch(l -> l.contains(" org.jline."));
  }

  @Test
  void help_stillListsEveryCommand() {
    String help = Main.commandLine().getUsageMessage();
    for (String command :
        List.of(
            "demo", "pki", "server", "client", "web", "send", "recv", "attack", "bench", "help")) {
      assertThat(help).containsPattern("(?m)^  " + command + " ");
    }
  }

  private Process java(Path classLog, String... args) throws IOException {
    List<String> command =
        ThisClasspathJava.command(
            List.of("-Xlog:class+load=info:file=" + classLog), Main.class, List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }
}
