package dev.ztchat.server.ops;

import dev.ztchat.server.RelayServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes SIGHUP reload the relay ({@link RelayServer#reload}: server certificate and key, CA
 * certificate, revocation list, users' certificates), what systemd's {@code ExecReload=kill -HUP
 * $MAINPID} sends. The signal API is JDK-internal, hence the reflection; where it is missing only
 * the file watches work, and the log says so.
 */
public final class ReloadSignal {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);

  private ReloadSignal() {}

  /** Installs the handler; returns false (and logs why) where signals are unavailable. */
  public static boolean install(RelayServer server) {
    try {
      if (Signals.handle(
          "HUP",
          () -> {
            LOG.info("SIGHUP: reloading certificates, key, CA and revocation list");
            server.reload();
          })) {
        return true;
      }
      LOG.warn(
          "SIGHUP reload unavailable: this process ignores SIGHUP (started under nohup?);"
              + " certificates and the revocation list are still reloaded when their files"
              + " change, or start the relay without nohup");
      return false;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "SIGHUP reload unavailable ({}); certificates and the revocation list are still"
              + " reloaded when their files change",
          e.toString());
      return false;
    }
  }
}
