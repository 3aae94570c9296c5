package dev.ztchat.server.aot;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.server.ConnectionLimits;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The relay in the JVM a training run records ({@link RelayAotTraining}): the product's defaults on
 * the certs folder and data folder it is given, on a free loopback port, with the connection caps
 * at their maximum (one load client opens every connection from one address). Prints {@code PORT n}
 * once it listens and stops when its standard input closes, then ends the JVM normally, which is
 * when the JVM writes its cache.
 */
final class TrainingRelay {
  /** The line that tells the training the port. */
  static final String PORT = "PORT ";

  private TrainingRelay() {}

  public static void main(String[] args) throws Exception {
    RelayServerConfig config =
        RelayServerConfig.defaults(new CertsLayout(Path.of(args[0])), Path.of(args[1]))
            .withPort(0)
            .withConnectionLimits(ConnectionLimits.highest());
    try (RelayServer relay = RelayServer.start(config)) {
      System.out.println(PORT + relay.port());
      System.out.flush();
      InputStream in = System.in;
      while (in.read() >= 0) {
        // nothing is asked: the training only closes the stream
      }
    }
    System.exit(0); // the relay's threads are stopped; nothing else may hold the JVM
  }
}
