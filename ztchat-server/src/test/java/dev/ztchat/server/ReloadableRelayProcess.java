package dev.ztchat.server;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.server.ops.ReloadSignal;
import dev.ztchat.server.ops.TerminateSignal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs a relay in its own process with the SIGHUP and SIGTERM handlers {@code ztchat server}
 * installs: {@code ReloadableRelayProcess CERTS DATA}. Prints {@code READY PORT} once it listens.
 */
public final class ReloadableRelayProcess {
  private ReloadableRelayProcess() {}

  /**
   * A started relay process, its port, every line it printed (kept up to date), and whether SIGHUP
   * reloads it (not when the process ignores SIGHUP: started under {@code nohup}).
   */
  record Running(Process process, int port, List<String> output, boolean reloadsOnSighup) {}

  /** Starts the relay on {@code certs} and {@code data}; returns once it listens. */
  static Running launch(Path certs, Path data) throws Exception {
    return launch(certs, data, List.of());
  }

  /** As {@link #launch(Path, Path)}, the java command run by {@code prefix} (e.g. nohup). */
  static Running launch(Path certs, Path data, List<String> prefix) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(prefix);
    command.addAll(
        List.of(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            ReloadableRelayProcess.class.getName(),
            certs.toString(),
            data.toString()));
    Process relay = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> output = new CopyOnWriteArrayList<>();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("READY")) {
      output.add(line);
    }
    if (line == null || output.contains("NO-SIGNALS")) {
      relay.destroyForcibly();
      throw new IllegalStateException("the relay process did not start with signals: " + output);
    }
    // a platform thread: a blocking pipe read must not wait for a carrier that other tests use
    Thread.ofPlatform().daemon().start(() -> out.lines().forEach(output::add));
    return new Running(
        relay,
        Integer.parseInt(line.substring("READY ".length())),
        output,
        !output.contains("NO-SIGHUP"));
  }

  public static void main(String[] args) throws Exception {
    RelayServer server =
        RelayServer.start(
            RelayServerConfig.defaults(new CertsLayout(Path.of(args[0])), Path.of(args[1]))
                .withPort(0));
    if (!TerminateSignal.install(server, TerminateSignal.DEFAULT_BOUND)) {
      System.out.println("NO-SIGNALS");
    }
    if (!ReloadSignal.install(server)) {
      System.out.println("NO-SIGHUP");
    }
    System.out.println("READY " + server.port());
    System.out.flush();
    server.awaitClose();
    System.out.println("STOPPED");
    System.exit(0);
  }
}
