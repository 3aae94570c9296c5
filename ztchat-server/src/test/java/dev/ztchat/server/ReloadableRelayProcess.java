package dev.ztchat.server;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.server.ops.ReloadSignal;
import java.nio.file.Path;

/**
 * Runs a relay in its own process with the SIGHUP handler that {@code ztchat server} installs:
 * {@code ReloadableRelayProcess CERTS DATA}. Prints {@code READY PORT} once it listens.
 */
public final class ReloadableRelayProcess {
  private ReloadableRelayProcess() {}

  public static void main(String[] args) throws Exception {
    RelayServer server =
        RelayServer.start(
            RelayServerConfig.defaults(new CertsLayout(Path.of(args[0])), Path.of(args[1]))
                .withPort(0));
    if (!ReloadSignal.install(server)) {
      System.out.println("NO-SIGNALS");
    }
    System.out.println("READY " + server.port());
    System.out.flush();
    server.awaitClose();
  }
}
