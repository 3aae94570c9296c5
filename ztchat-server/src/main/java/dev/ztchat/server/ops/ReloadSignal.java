package dev.ztchat.server.ops;

import dev.ztchat.server.RelayServer;
import java.lang.reflect.Proxy;
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
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object hup = signal.getConstructor(String.class).newInstance("HUP");
      Object onHup =
          Proxy.newProxyInstance(
              handler.getClassLoader(),
              new Class<?>[] {handler},
              (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                  LOG.info("SIGHUP: reloading certificates, key, CA and revocation list");
                  server.reload();
                }
                return null;
              });
      signal.getMethod("handle", signal, handler).invoke(null, hup, onHup);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "SIGHUP reload unavailable ({}); certificates and the revocation list are still"
              + " reloaded when their files change",
          e.toString());
      return false;
    }
  }
}
