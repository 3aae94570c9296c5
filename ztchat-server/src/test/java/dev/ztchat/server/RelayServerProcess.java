package dev.ztchat.server;

import dev.ztchat.core.pki.CertsLayout;
import java.nio.file.Path;

/**
 * Runs a relay in its own process for crash tests: {@code RelayServerProcess CERTS DATA PORT
 * [STORE]} (STORE as {@code --store} takes it). Prints {@code READY} once it listens, then runs
 * until killed.
 */
public final class RelayServerProcess {
  private RelayServerProcess() {}

  public static void main(String[] args) throws Exception {
    RelayServerConfig config =
        RelayServerConfig.defaults(new CertsLayout(Path.of(args[0])), Path.of(args[1]))
            .withPort(Integer.parseInt(args[2]))
            .withRateLimit(100_000, 100_000); // the crash test streams as fast as it can
    if (args.length > 3) {
      config = config.withQueue(config.queue().withStore(args[3]));
    }
    RelayServer server = RelayServer.start(config);
    System.out.println("READY " + server.port());
    System.out.flush();
    server.awaitClose();
  }
}
